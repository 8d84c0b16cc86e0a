//! `report.html`: the report as one self-contained page for the responder (output stage).
//!
//! The same content as `report.md`, in the same order, with a verdict banner per host (red
//! escalate, amber investigate, green no evidence) and a timeline chart per incident
//! ([`super::chart`]). The page is a single file that loads nothing: the style is inline, the
//! charts are inline SVG, there is no script and no link out, and a Content Security Policy
//! (`default-src 'none'`) makes any fetch fail even if evidence text slipped through. Every piece
//! of evidence text goes through [`super::escape::html`]. It prints: one host per page, banners
//! in colour, long commands wrapped.

use std::fmt::{self, Write as _};
use std::io::Write;

use super::chart;
use super::escape::html;
use super::html_sections::{containment, iocs, origin, playbook};
use crate::correlate::model::{HostReport, Incident, Report, Verdict};
use crate::output::OutputError;
use crate::profile::Severity;

/// The page's Content Security Policy: nothing may load; only the inline style and `data:`
/// images are allowed.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = r#"
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1b2330;background:#fff;margin:0 auto;padding:20px 28px;max-width:1340px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:19px;margin:26px 0 8px}
h3{font-size:16px;margin:22px 0 8px;padding-bottom:3px;border-bottom:1px solid #d5dbe5}
h4{font-size:14.5px;margin:16px 0 6px}
p{margin:6px 0}
.meta{color:#5b6472;font-size:13px}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:#eef1f6;padding:0 3px;border-radius:3px;white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:8px 0 14px;font-size:13px}
th,td{border:1px solid #d5dbe5;padding:4px 7px;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#e6eaf0;font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
td.time,code.t{white-space:nowrap}
.cmd{width:36%}
ul,ol{margin:6px 0;padding-left:22px}
li{margin:3px 0}
.banner{padding:10px 16px;border-radius:6px;margin:30px 0 10px;color:#fff}
.banner h2{margin:0;font-size:20px}
.banner p{margin:2px 0 0;font-size:13px}
.escalate{background:#b3261e}
.investigate{background:#f0a202;color:#1b2330}
.no-evidence{background:#2e7d32}
.verdict{display:inline-block;padding:1px 9px;border-radius:10px;font-weight:600;font-size:12.5px}
.sev{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;border:1px solid #b8c0cc;background:#f4f6f9;white-space:nowrap}
.sev.critical{background:#fbe4e4;border-color:#a31515;color:#7d0f0f;font-weight:600}
.sev.high{background:#fdeede;border-color:#b45309;color:#7c3a06}
.sev.medium{background:#fdf6d8;border-color:#a07a00;color:#5f4800}
.sev.low{background:#e5f0fb;border-color:#2b5e9e;color:#1f4777}
.incident{border:1px solid #c9d1dc;border-left:5px solid #5b6472;border-radius:6px;padding:6px 16px 10px;margin:14px 0}
.incident.escalates{border-left-color:#b3261e}
svg.incident-chart{display:block;margin:10px 0;max-width:1000px}
svg.incident-chart text{font:12px system-ui,sans-serif;fill:#1b2330}
svg.incident-chart text.tick,svg.incident-chart text.date{font-size:11px;fill:#5b6472}
svg.incident-chart text.gap{font-size:11px;font-weight:600;fill:#7d0f0f}
ul.checklist{list-style:none;padding-left:2px}
ul.checklist li{margin:5px 0}
ul.checklist input{margin:0 8px 0 0;vertical-align:-2px}
.none{color:#5b6472;font-style:italic}
@media print{body{padding:0;max-width:none}section.host{break-before:page}tr,svg.incident-chart,.banner{break-inside:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"#;

/// Writes `report.html` (see the module doc).
pub fn write_html(report: &Report, out: &mut impl Write) -> Result<(), OutputError> {
    super::write_rendered("report.html", render(report), out)
}

/// The CSS class of a verdict (`escalate`, `investigate`, `no-evidence`).
pub(super) fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Escalate => "escalate",
        Verdict::Investigate => "investigate",
        Verdict::NoEvidence => "no-evidence",
    }
}

/// A severity badge.
pub(super) fn severity(severity: Severity) -> String {
    format!(r#"<span class="sev {0}">{0}</span>"#, severity.name())
}

/// A value in `<code>`, escaped, or `—`.
pub(super) fn code(value: &str) -> String {
    if value.is_empty() {
        return "—".to_owned();
    }
    format!("<code>{}</code>", html(value))
}

/// A time (RFC 3339) in `<code>` that does not wrap.
pub(super) fn when(time: &str) -> String {
    format!(r#"<code class="t">{}</code>"#, html(time))
}

/// Values in `<code>`, comma-separated, or `—`.
pub(super) fn codes(values: &[String]) -> String {
    if values.is_empty() {
        return "—".to_owned();
    }
    values
        .iter()
        .map(|value| code(value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `yes` or `no`.
pub(super) fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn render(report: &Report) -> Result<String, fmt::Error> {
    let mut page = String::new();
    writeln!(page, "<!DOCTYPE html>")?;
    writeln!(page, r#"<html lang="en"><head><meta charset="utf-8">"#)?;
    writeln!(
        page,
        r#"<meta http-equiv="Content-Security-Policy" content="{CSP}">"#
    )?;
    writeln!(
        page,
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
    )?;
    writeln!(page, r#"<meta name="referrer" content="no-referrer">"#)?;
    let title = match report.hosts.first() {
        Some(host) if host.verdict != Verdict::NoEvidence => format!(
            "ddesweep: {} · {}",
            host.host,
            host.verdict.label().to_uppercase()
        ),
        _ => "ddesweep report".to_owned(),
    };
    writeln!(page, "<title>{}</title>", html(&title))?;
    writeln!(page, "<style>{STYLE}</style></head><body>")?;
    writeln!(
        page,
        "<header><h1>ddesweep report: DDE abuse (T1559.002)</h1>"
    )?;
    writeln!(
        page,
        r#"<p class="meta">{} {} · profile {} (SHA-256 {}) · schema {}</p>"#,
        html(report.tool),
        html(report.version),
        code(&report.profile.name),
        code(&report.profile.sha256),
        code(report.schema),
    )?;
    writeln!(
        page,
        r#"<p class="meta">Evidence: {}</p></header>"#,
        codes(&report.evidence)
    )?;
    summary(report, &mut page)?;
    for (index, host) in report.hosts.iter().enumerate() {
        host_section(index, host, &mut page)?;
    }
    iocs(&report.iocs, &mut page)?;
    writeln!(page, "</body></html>")?;
    Ok(page)
}

fn summary(report: &Report, page: &mut String) -> fmt::Result {
    let s = &report.summary;
    writeln!(page, "<section><h2>Summary</h2>")?;
    writeln!(
        page,
        r#"<p><b>{} hosts:</b> <span class="verdict escalate">{} escalate</span> <span class="verdict investigate">{} investigate</span> <span class="verdict no-evidence">{} no evidence</span> · {} incidents · {} indicators of compromise</p>"#,
        s.hosts, s.escalate, s.investigate, s.no_evidence, s.incidents, s.iocs,
    )?;
    if report.hosts.is_empty() {
        return writeln!(
            page,
            r#"<p class="none">No host in the evidence.</p></section>"#
        );
    }
    writeln!(
        page,
        r#"<table><tr><th>host</th><th>verdict</th><th class="num">incidents</th><th class="num">findings</th><th class="num">rows</th></tr>"#
    )?;
    for (index, host) in report.hosts.iter().enumerate() {
        writeln!(
            page,
            r##"<tr><td><a href="#host-{index}">{}</a></td><td><span class="verdict {}">{}</span></td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"##,
            html(&host.host),
            verdict_class(host.verdict),
            host.verdict.label(),
            host.incidents.len(),
            host.findings,
            host.rows,
        )?;
    }
    writeln!(page, "</table></section>")
}

fn host_section(index: usize, host: &HostReport, page: &mut String) -> fmt::Result {
    writeln!(page, r#"<section class="host" id="host-{index}">"#)?;
    writeln!(
        page,
        r#"<div class="banner {}"><h2>{}: {}</h2><p>{} incidents · {} findings · {} rows · names {} · evidence {}</p></div>"#,
        verdict_class(host.verdict),
        html(&host.host),
        host.verdict.label().to_uppercase(),
        host.incidents.len(),
        host.findings,
        host.rows,
        plain_list(&host.names),
        plain_list(&host.evidence),
    )?;
    writeln!(page, "<h3>Verdict: {}</h3>", host.verdict.label())?;
    if host.reasons.is_empty() {
        writeln!(
            page,
            r#"<p class="none">No finding points at DDE abuse.</p>"#
        )?;
    } else {
        writeln!(page, "<ul>")?;
        for reason in &host.reasons {
            writeln!(
                page,
                r#"<li>{} <span class="verdict {}">{}</span> · rows {}</li>"#,
                html(&reason.text),
                verdict_class(reason.verdict),
                reason.verdict.label(),
                codes(&reason.rows),
            )?;
        }
        writeln!(page, "</ul>")?;
    }
    writeln!(page, "<h3>Incidents</h3>")?;
    if host.incidents.is_empty() {
        writeln!(page, r#"<p class="none">None.</p>"#)?;
    }
    for incident in &host.incidents {
        incident_section(incident, page)?;
    }
    playbook(&host.playbook, page)?;
    containment(&host.host, &host.containment, page)?;
    writeln!(page, "<h3>Excluded by the profile</h3>")?;
    if host.excluded.is_empty() {
        writeln!(page, r#"<p class="none">Nothing.</p>"#)?;
    } else {
        writeln!(page, "<ul>")?;
        for excluded in &host.excluded {
            writeln!(
                page,
                "<li>{}: {} hits</li>",
                code(&excluded.exclusion),
                excluded.hits
            )?;
        }
        writeln!(page, "</ul>")?;
    }
    writeln!(page, "</section>")
}

/// Evidence names inside the banner, escaped (not as code: the banner is coloured).
fn plain_list(values: &[String]) -> String {
    if values.is_empty() {
        return "—".to_owned();
    }
    values
        .iter()
        .map(|value| html(value).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn incident_section(incident: &Incident, page: &mut String) -> fmt::Result {
    let class = if incident.escalate {
        "incident escalates"
    } else {
        "incident"
    };
    writeln!(page, r#"<article class="{class}">"#)?;
    writeln!(
        page,
        "<h4>{}: {}</h4>",
        html(&incident.id),
        html(&incident.title)
    )?;
    writeln!(
        page,
        "<p>Confidence <b>{}</b> · severity {} · escalate: <b>{}</b> · first seen {} · last seen {} · users {}</p>",
        super::confidence_label(incident.confidence),
        severity(incident.severity),
        yes_no(incident.escalate),
        when(&incident.first_seen),
        when(&incident.last_seen),
        codes(&incident.users),
    )?;
    page.push_str(&chart::render(&incident.rows));
    writeln!(page)?;
    match &incident.document {
        Some(document) => {
            writeln!(page, "<p><b>Document</b></p>")?;
            origin(document, page)?;
        }
        None => writeln!(
            page,
            r#"<p class="none">No document at the chain's start.</p>"#
        )?,
    }
    writeln!(page, "<p><b>What happened</b></p><ol>")?;
    for step in &incident.narrative {
        writeln!(page, "<li>{}</li>", html(step))?;
    }
    writeln!(page, "</ol>")?;
    writeln!(
        page,
        "<table><tr><th>time</th><th>stage</th><th>severity</th><th>message</th><th>row_id</th></tr>"
    )?;
    for row in &incident.rows {
        writeln!(
            page,
            r#"<tr><td class="time">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            when(&row.datetime),
            row.stage.label(),
            severity(row.severity),
            code(&row.message),
            code(&row.row_id),
        )?;
    }
    writeln!(page, "</table>")?;
    if incident.rows_omitted > 0 {
        writeln!(
            page,
            "<p>{} more rows of this incident are in the timeline ({}).</p>",
            incident.rows_omitted,
            code(&format!("incident:\"{}\"", incident.id))
        )?;
    }
    writeln!(page, "</article>")
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, IMG, SCRIPT};
    use super::*;

    fn rendered() -> String {
        render(&sample::report()).unwrap()
    }

    #[test]
    fn evidence_text_is_escaped_everywhere() {
        let page = rendered();
        assert!(!page.contains(SCRIPT) && !page.contains(IMG));
        assert!(!page.to_ascii_lowercase().contains("<script"));
        assert!(!page.contains("<img"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        // In the message table, the chart's tooltips, the paths and the commands.
        assert!(page.matches("&lt;script&gt;").count() >= 6);
    }

    #[test]
    fn page_is_self_contained() {
        let page = rendered();
        assert!(page.contains(&format!(r#"content="{CSP}""#)));
        for attribute in [
            "src=\"",
            "href=\"http",
            "url(",
            "@import",
            "<link",
            "<iframe",
            "<object",
        ] {
            assert!(!page.contains(attribute), "{attribute}");
        }
        // The only address in the page is evidence text (the download URL), shown, not linked.
        assert_eq!(
            page.matches("http:").count() + page.matches("https:").count(),
            page.matches("<code>http://evil.example/Invoice.docx</code>")
                .count()
        );
    }

    #[test]
    fn banners_charts_and_checklists() {
        let page = rendered();
        assert!(page.contains(r#"<div class="banner escalate"><h2>WS01: ESCALATE</h2>"#));
        assert!(page.contains(r#"<div class="banner investigate"><h2>WS02: INVESTIGATE</h2>"#));
        assert!(page.contains(r#"<div class="banner no-evidence"><h2>WS03: NO EVIDENCE</h2>"#));
        assert_eq!(page.matches(r#"<svg class="incident-chart""#).count(), 1);
        assert_eq!(page.matches(r#"<circle class="marker"#).count(), 7);
        assert!(page.contains(r#"<input type="checkbox"> Isolate <b>WS01</b>"#));
        assert!(page.contains("overflow-wrap:anywhere"));
    }
}
