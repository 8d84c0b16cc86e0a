//! `report.md`: the report as Markdown, for a ticket or a terminal (output stage).
//!
//! Order: the run (tool, profile, evidence), the summary (hosts by verdict), then one section
//! per host (verdict and reasons, incidents, the playbook's answers, the containment checklist,
//! exclusions), then the indicators of compromise. Sentences go through
//! [`escape::md_text`](super::escape::md_text); evidence values (paths, commands, messages,
//! hashes, URLs) are code spans ([`escape::md_code`](super::escape::md_code)), which keeps a
//! DDE payload's `|` inside its table cell and never makes a URL clickable. Every statement
//! names its rows (`row_id`s of the timeline). Sections with nothing to show say so, so that
//! "none" reads as checked, not as missing.

use std::fmt::{self, Write as _};
use std::io::Write;

use super::escape::{md_cell_code, md_code, md_text};
use super::markdown_sections::{containment, iocs, origin, playbook};
use crate::correlate::model::{HostReport, Incident, Report, Verdict};
use crate::output::OutputError;

/// Writes `report.md` (see the module doc for its layout).
pub fn write_markdown(report: &Report, out: &mut impl Write) -> Result<(), OutputError> {
    super::write_rendered("report.md", render(report), out)
}

/// A verdict in capitals, bold, for headings and the summary.
pub(super) fn verdict_word(verdict: Verdict) -> String {
    format!("**{}**", verdict.label().to_uppercase())
}

/// Row ids as code spans, or `—`.
pub(super) fn row_list(rows: &[String]) -> String {
    if rows.is_empty() {
        return "—".to_owned();
    }
    rows.iter()
        .map(|row| md_code(row))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Row ids as code spans for a table cell, or `—`.
pub(super) fn row_cells(rows: &[String]) -> String {
    if rows.is_empty() {
        return "—".to_owned();
    }
    rows.iter()
        .map(|row| md_cell_code(row))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Values as code spans, or `—`.
pub(super) fn code_list(values: &[String]) -> String {
    row_list(values)
}

/// Sentences as escaped text, comma-separated, or `—`.
pub(super) fn text_list(values: &[String]) -> String {
    if values.is_empty() {
        return "—".to_owned();
    }
    values
        .iter()
        .map(|value| md_text(value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `yes` or `no`.
pub(super) fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn render(report: &Report) -> Result<String, fmt::Error> {
    let mut md = String::new();
    writeln!(md, "# ddesweep report: DDE abuse (T1559.002)\n")?;
    writeln!(
        md,
        "{} {} · profile {} (SHA-256 {}) · schema {}\n",
        report.tool,
        report.version,
        md_code(&report.profile.name),
        md_code(&report.profile.sha256),
        md_code(report.schema),
    )?;
    writeln!(md, "Evidence: {}\n", code_list(&report.evidence))?;
    summary(report, &mut md)?;
    for host in &report.hosts {
        host_section(host, &mut md)?;
    }
    iocs(&report.iocs, &mut md)?;
    Ok(md)
}

fn summary(report: &Report, md: &mut String) -> fmt::Result {
    let s = &report.summary;
    writeln!(md, "## Summary\n")?;
    writeln!(
        md,
        "**{} hosts: {} escalate, {} investigate, {} no evidence** · {} incidents · {} indicators of compromise\n",
        s.hosts, s.escalate, s.investigate, s.no_evidence, s.incidents, s.iocs,
    )?;
    if report.hosts.is_empty() {
        return writeln!(md, "No host in the evidence.\n");
    }
    writeln!(md, "| host | verdict | incidents | findings | rows |")?;
    writeln!(md, "|---|---|---:|---:|---:|")?;
    for host in &report.hosts {
        writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            md_text(&host.host),
            verdict_word(host.verdict),
            host.incidents.len(),
            host.findings,
            host.rows,
        )?;
    }
    writeln!(md)
}

fn host_section(host: &HostReport, md: &mut String) -> fmt::Result {
    writeln!(
        md,
        "## {}: {}\n",
        md_text(&host.host),
        verdict_word(host.verdict)
    )?;
    writeln!(
        md,
        "Names: {} · evidence: {} · {} rows, {} findings\n",
        code_list(&host.names),
        code_list(&host.evidence),
        host.rows,
        host.findings,
    )?;
    writeln!(md, "### Verdict: {}\n", host.verdict.label())?;
    if host.reasons.is_empty() {
        writeln!(md, "No finding points at DDE abuse.")?;
    }
    for reason in &host.reasons {
        writeln!(
            md,
            "- {} ({}) · rows {}",
            md_text(&reason.text),
            reason.verdict.label(),
            row_list(&reason.rows),
        )?;
    }
    writeln!(md, "\n### Incidents\n")?;
    if host.incidents.is_empty() {
        writeln!(md, "None.\n")?;
    }
    for incident in &host.incidents {
        incident_section(incident, md)?;
    }
    playbook(&host.playbook, md)?;
    containment(&host.host, &host.containment, md)?;
    writeln!(md, "### Excluded by the profile\n")?;
    if host.excluded.is_empty() {
        writeln!(md, "Nothing.\n")?;
    } else {
        for excluded in &host.excluded {
            writeln!(
                md,
                "- {}: {} hits",
                md_code(&excluded.exclusion),
                excluded.hits
            )?;
        }
        writeln!(md)?;
    }
    Ok(())
}

fn incident_section(incident: &Incident, md: &mut String) -> fmt::Result {
    writeln!(
        md,
        "#### {}: {}\n",
        md_text(&incident.id),
        md_text(&incident.title)
    )?;
    writeln!(
        md,
        "- Confidence **{}** · severity **{}** · escalate: {}",
        super::confidence_label(incident.confidence),
        incident.severity.name(),
        yes_no(incident.escalate),
    )?;
    writeln!(
        md,
        "- First seen {} · last seen {}",
        md_code(&incident.first_seen),
        md_code(&incident.last_seen),
    )?;
    writeln!(md, "- Users: {}", code_list(&incident.users))?;
    match &incident.document {
        Some(document) => {
            writeln!(md, "- Document:")?;
            origin(document, "  ", md)?;
        }
        None => writeln!(md, "- Document: none at the chain's start")?,
    }
    writeln!(md, "\nWhat happened:\n")?;
    for (n, step) in incident.narrative.iter().enumerate() {
        writeln!(md, "{}. {}", n + 1, md_text(step))?;
    }
    writeln!(md, "\n| time | stage | severity | message | row_id |")?;
    writeln!(md, "|---|---|---|---|---|")?;
    for row in &incident.rows {
        writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            md_cell_code(&row.datetime),
            row.stage.label(),
            row.severity.name(),
            md_cell_code(&row.message),
            md_cell_code(&row.row_id),
        )?;
    }
    if incident.rows_omitted > 0 {
        writeln!(
            md,
            "\n{} more rows of this incident are in the timeline (`incident:\"{}\"`).",
            incident.rows_omitted, incident.id
        )?;
    }
    writeln!(md)
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, IMG, SCRIPT};
    use super::*;

    fn rendered() -> String {
        render(&sample::report()).unwrap()
    }

    #[test]
    fn table_rows_keep_their_cells() {
        let md = rendered();
        // Every table line has as many unescaped `|` as its header.
        let mut columns = 0;
        for line in md.lines() {
            if !line.starts_with('|') {
                columns = 0;
                continue;
            }
            let bars = line
                .match_indices('|')
                .filter(|(i, _)| !line[..*i].ends_with('\\'))
                .count();
            if columns == 0 {
                columns = bars;
            }
            assert_eq!(bars, columns, "{line}");
        }
        assert!(md.contains(r"`DDE formula =cmd\|'/c calc'!A0`"));
        // Outside tables a code span keeps its `|` as it is (a backslash would show there).
        assert!(md.contains("alert(1)</script> | more` · row `r04`"));
        assert!(md.contains("No DDE activity recorded."));
        // The memory row's second line stays in its row.
        assert!(md.contains("`DDEAUTO field text in memory second line`"));
    }

    #[test]
    fn evidence_markup_is_inert() {
        let md = rendered();
        for line in md.lines() {
            for hostile in [SCRIPT, IMG] {
                if let Some(at) = line.find(hostile) {
                    // Verbatim only inside a code span.
                    assert_eq!(line[..at].matches('`').count() % 2, 1, "{line}");
                }
            }
        }
        assert!(md.contains(r"\<script\>alert(1)\</script\>"));
    }

    #[test]
    fn sections_are_all_there() {
        let md = rendered();
        for heading in [
            "## Summary",
            "## WS01: **ESCALATE**",
            "### Verdict: escalate",
            "#### WS01-1: ",
            "### Playbook",
            "### Containment checklist",
            "## WS02: **INVESTIGATE**",
            "## WS03: **NO EVIDENCE**",
            "## Indicators of compromise",
        ] {
            assert!(md.contains(heading), "{heading}");
        }
        assert!(md.contains("- [ ] Isolate WS01 from the network"));
        assert!(md.contains("- [ ] Revert `HKU\\S-1-5-21-1-2-3-1001"));
    }
}
