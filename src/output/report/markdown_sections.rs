//! The parts of `report.md` that answer the playbook: document origins, activity against the
//! baseline, Office children, phishing, the containment checklist and the indicators of
//! compromise (output stage; the layout is in [`super::markdown`]).

use std::fmt::{self, Write as _};

use super::escape::{md_cell_code, md_code, md_text};
use super::markdown::{code_list, row_cells, row_list, text_list, yes_no};
use crate::correlate::model::{Containment, DocumentOrigin, Ioc, Playbook, ProcessEntry};

/// Where a document came from, as list items indented by `indent`.
pub(super) fn origin(document: &DocumentOrigin, indent: &str, md: &mut String) -> fmt::Result {
    writeln!(md, "{indent}- Paths: {}", code_list(&document.paths))?;
    writeln!(md, "{indent}- SHA-256: {}", md_code(&document.sha256))?;
    let zone = document
        .zone_id
        .map(|zone| format!(" · Mark of the Web zone {zone}"))
        .unwrap_or_default();
    writeln!(
        md,
        "{indent}- Origin: **{}** ({}){zone}",
        md_text(&document.origin),
        md_text(&document.origin_detail),
    )?;
    if let Some(url) = &document.host_url {
        writeln!(md, "{indent}- Downloaded from: {}", md_code(url))?;
    }
    if let Some(url) = &document.referrer_url {
        writeln!(md, "{indent}- Referring page: {}", md_code(url))?;
    }
    writeln!(
        md,
        "{indent}- Trusted: {} · opened: {}",
        yes_no(document.trusted),
        yes_no(document.opened),
    )?;
    writeln!(
        md,
        "{indent}- DDE commands: {}",
        code_list(&document.commands)
    )?;
    writeln!(md, "{indent}- Rows: {}", row_list(&document.rows))
}

/// A process as one line: image, PID, GUID, parent, user, command.
fn process_line(process: &ProcessEntry) -> String {
    let mut line = md_code(&process.image);
    if let Some(pid) = process.process_id {
        line.push_str(&format!(" PID {pid}"));
    }
    if let Some(guid) = &process.process_guid {
        line.push_str(&format!(" GUID {}", md_code(guid)));
    }
    if let Some(user) = &process.user {
        line.push_str(&format!(" as {}", md_code(user)));
    }
    line.push_str(&format!(
        ", started {}: {}",
        md_code(&process.started),
        md_code(&process.command)
    ));
    line
}

/// The playbook's four questions.
pub(super) fn playbook(playbook: &Playbook, md: &mut String) -> fmt::Result {
    writeln!(md, "### Playbook\n")?;
    writeln!(
        md,
        "#### Does the document come from a known and trusted source?\n"
    )?;
    if playbook.document_origins.is_empty() {
        writeln!(md, "No DDE document found.")?;
    }
    for document in &playbook.document_origins {
        let name = document.paths.first().map(String::as_str).unwrap_or("?");
        writeln!(md, "- {}", md_code(name))?;
        origin(document, "  ", md)?;
    }
    writeln!(
        md,
        "\n#### Has DDE activity increased against the baseline?\n"
    )?;
    if playbook.baseline.is_empty() {
        writeln!(md, "No DDE activity recorded.\n")?;
    } else {
        writeln!(md, "{}\n", md_text(&playbook.baseline))?;
    }
    if !playbook.activity_per_day.is_empty() {
        writeln!(
            md,
            "| date (UTC) | documents | processes | registry | other | total | above baseline |"
        )?;
        writeln!(md, "|---|---:|---:|---:|---:|---:|---|")?;
        for day in &playbook.activity_per_day {
            writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                md_text(&day.date),
                day.documents,
                day.processes,
                day.registry,
                day.other,
                day.total,
                if day.above_baseline { "**yes**" } else { "no" },
            )?;
        }
        writeln!(md)?;
    }
    writeln!(
        md,
        "#### Are there anomalous child processes of Office applications?\n"
    )?;
    if playbook.office_children.is_empty() {
        writeln!(md, "None found.\n")?;
    } else {
        writeln!(
            md,
            "| started | parent | image | command | PID | GUID | user | rule | row_id |"
        )?;
        writeln!(md, "|---|---|---|---|---:|---|---|---|---|")?;
        for child in &playbook.office_children {
            let parent = match (&child.parent_image, child.parent_process_id) {
                (Some(image), Some(pid)) => format!("{} ({pid})", md_cell_code(image)),
                (Some(image), None) => md_cell_code(image),
                (None, Some(pid)) => format!("PID {pid}"),
                (None, None) => "—".to_owned(),
            };
            writeln!(
                md,
                "| {} | {parent} | {} | {} | {} | {} | {} | {} | {} |",
                md_cell_code(&child.started),
                md_cell_code(&child.image),
                md_cell_code(&child.command),
                child
                    .process_id
                    .map(|pid| pid.to_string())
                    .unwrap_or_else(|| "—".to_owned()),
                md_cell_code(child.process_guid.as_deref().unwrap_or_default()),
                md_cell_code(child.user.as_deref().unwrap_or_default()),
                md_cell_code(child.rule_id.as_deref().unwrap_or_default()),
                md_cell_code(&child.row_id),
            )?;
        }
        writeln!(md)?;
    }
    writeln!(
        md,
        "#### Is there phishing that correlates with the payload?\n"
    )?;
    if playbook.phishing.is_empty() {
        writeln!(md, "No document from e-mail or the web tied to a payload.")?;
    }
    for link in &playbook.phishing {
        writeln!(
            md,
            "- {} ({}): {} via {} · payload indicators {} · rows {}",
            md_text(&link.text),
            md_text(&link.incident),
            md_code(&link.document),
            md_text(&link.via),
            code_list(&link.payload_indicators),
            row_list(&link.rows),
        )?;
    }
    writeln!(md)
}

/// The containment checklist, one `- [ ]` item per entity.
pub(super) fn containment(host: &str, containment: &Containment, md: &mut String) -> fmt::Result {
    writeln!(md, "### Containment checklist\n")?;
    let c = containment;
    let empty = c.isolate_host.is_none()
        && c.processes.is_empty()
        && c.files.is_empty()
        && c.accounts.is_empty()
        && c.settings_to_revert.is_empty()
        && c.persistence.is_empty()
        && c.block.is_empty();
    if empty {
        return writeln!(md, "Nothing to contain.\n");
    }
    if let Some(why) = &c.isolate_host {
        writeln!(
            md,
            "- [ ] Isolate {} from the network: {}",
            md_text(host),
            md_text(why)
        )?;
    }
    for process in &c.processes {
        writeln!(
            md,
            "- [ ] Terminate (if running) and collect {} · row {}",
            process_line(process),
            md_code(&process.row_id),
        )?;
    }
    for file in &c.files {
        let hash = file
            .sha256
            .as_deref()
            .map(|sha| format!(" SHA-256 {}", md_code(sha)))
            .unwrap_or_default();
        writeln!(
            md,
            "- [ ] Quarantine {}{hash}: {} · rows {}",
            md_code(&file.path),
            md_text(&file.why),
            row_list(&file.rows),
        )?;
    }
    for account in &c.accounts {
        let sid = account
            .sid
            .as_deref()
            .map(|sid| format!(" ({})", md_code(sid)))
            .unwrap_or_default();
        writeln!(
            md,
            "- [ ] Review account {}{sid} (reset credentials, check sign-ins): {}",
            md_code(&account.user),
            md_text(&account.why),
        )?;
    }
    for setting in &c.settings_to_revert {
        writeln!(
            md,
            "- [ ] Revert {} = {} (set {}{}) · row {}",
            md_code(&setting.key),
            md_code(&setting.value),
            md_code(&setting.set_at),
            if setting.explained {
                ", explained by an incident"
            } else {
                ", unexplained"
            },
            md_code(&setting.row_id),
        )?;
    }
    for check in &c.persistence {
        writeln!(
            md,
            "- [ ] Check persistence at {}: {} · rows {}",
            md_code(&check.location),
            md_text(&check.why),
            row_list(&check.rows),
        )?;
    }
    for indicator in &c.block {
        writeln!(
            md,
            "- [ ] Block {} at the proxy, DNS and firewall",
            md_code(indicator)
        )?;
    }
    writeln!(md)
}

/// The indicators of compromise of the run, as one table.
pub(super) fn iocs(iocs: &[Ioc], md: &mut String) -> fmt::Result {
    writeln!(md, "## Indicators of compromise\n")?;
    if iocs.is_empty() {
        return writeln!(md, "None.");
    }
    writeln!(
        md,
        "| kind | value | context | hosts | incidents | first seen | rows |"
    )?;
    writeln!(md, "|---|---|---|---|---|---|---|")?;
    for ioc in iocs {
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            ioc.kind.label(),
            md_cell_code(&ioc.value),
            md_text(&ioc.context),
            text_list(&ioc.hosts),
            text_list(&ioc.incidents),
            md_cell_code(&ioc.first_seen),
            row_cells(&ioc.rows),
        )?;
    }
    Ok(())
}
