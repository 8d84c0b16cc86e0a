//! The parts of `report.html` that answer the playbook: document origins, activity against the
//! baseline, Office children, phishing, the containment checklist and the indicators of
//! compromise (output stage; the page is in [`super::html`]).

use std::fmt::{self, Write as _};

use super::escape::html;
use super::html::{code, codes, when, yes_no};
use crate::correlate::model::{Containment, DocumentOrigin, Ioc, Playbook, ProcessEntry};

/// Where a document came from, as a list.
pub(super) fn origin(document: &DocumentOrigin, page: &mut String) -> fmt::Result {
    writeln!(page, "<ul>")?;
    writeln!(page, "<li>Paths: {}</li>", codes(&document.paths))?;
    writeln!(page, "<li>SHA-256: {}</li>", code(&document.sha256))?;
    let zone = document
        .zone_id
        .map(|zone| format!(" · Mark of the Web zone {zone}"))
        .unwrap_or_default();
    writeln!(
        page,
        "<li>Origin: <b>{}</b> ({}){zone}</li>",
        html(&document.origin),
        html(&document.origin_detail),
    )?;
    if let Some(url) = &document.host_url {
        writeln!(page, "<li>Downloaded from: {}</li>", code(url))?;
    }
    if let Some(url) = &document.referrer_url {
        writeln!(page, "<li>Referring page: {}</li>", code(url))?;
    }
    writeln!(
        page,
        "<li>Trusted: {} · opened: {}</li>",
        yes_no(document.trusted),
        yes_no(document.opened),
    )?;
    writeln!(page, "<li>DDE commands: {}</li>", codes(&document.commands))?;
    writeln!(page, "<li>Rows: {}</li>", codes(&document.rows))?;
    writeln!(page, "</ul>")
}

/// A process in a few words: image, PID, GUID, user, start, command.
fn process_line(process: &ProcessEntry) -> String {
    let mut line = format!("<b>{}</b>", html(&process.image));
    if let Some(pid) = process.process_id {
        line.push_str(&format!(" PID <b>{pid}</b>"));
    }
    if let Some(guid) = &process.process_guid {
        line.push_str(&format!(" GUID {}", code(guid)));
    }
    if let Some(user) = &process.user {
        line.push_str(&format!(" as {}", code(user)));
    }
    line.push_str(&format!(
        ", started {}: {}",
        when(&process.started),
        code(&process.command)
    ));
    line
}

/// An empty answer.
fn none(page: &mut String, text: &str) -> fmt::Result {
    writeln!(page, r#"<p class="none">{text}</p>"#)
}

/// The playbook's four questions.
pub(super) fn playbook(playbook: &Playbook, page: &mut String) -> fmt::Result {
    writeln!(page, "<h3>Playbook</h3>")?;
    writeln!(
        page,
        "<h4>Does the document come from a known and trusted source?</h4>"
    )?;
    if playbook.document_origins.is_empty() {
        none(page, "No DDE document found.")?;
    }
    for document in &playbook.document_origins {
        let name = document.paths.first().map(String::as_str).unwrap_or("?");
        writeln!(page, "<p>{}</p>", code(name))?;
        origin(document, page)?;
    }
    writeln!(
        page,
        "<h4>Has DDE activity increased against the baseline?</h4>"
    )?;
    if playbook.baseline.is_empty() {
        none(page, "No DDE activity recorded.")?;
    } else {
        writeln!(page, "<p>{}</p>", html(&playbook.baseline))?;
    }
    if !playbook.activity_per_day.is_empty() {
        writeln!(
            page,
            r#"<table><tr><th>date (UTC)</th><th class="num">documents</th><th class="num">processes</th><th class="num">registry</th><th class="num">other</th><th class="num">total</th><th>above baseline</th></tr>"#
        )?;
        for day in &playbook.activity_per_day {
            writeln!(
                page,
                r#"<tr><td class="time">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num"><b>{}</b></td><td>{}</td></tr>"#,
                html(&day.date),
                day.documents,
                day.processes,
                day.registry,
                day.other,
                day.total,
                if day.above_baseline {
                    r#"<span class="sev critical">yes</span>"#
                } else {
                    "no"
                },
            )?;
        }
        writeln!(page, "</table>")?;
    }
    writeln!(
        page,
        "<h4>Are there anomalous child processes of Office applications?</h4>"
    )?;
    if playbook.office_children.is_empty() {
        none(page, "None found.")?;
    } else {
        writeln!(
            page,
            r#"<table><tr><th>started</th><th>parent</th><th>image</th><th>command</th><th class="num">PID</th><th>GUID</th><th>user</th><th>rule</th><th>row_id</th></tr>"#
        )?;
        for child in &playbook.office_children {
            let parent = match (&child.parent_image, child.parent_process_id) {
                (Some(image), Some(pid)) => format!("{} ({pid})", code(image)),
                (Some(image), None) => code(image),
                (None, Some(pid)) => format!("PID {pid}"),
                (None, None) => "—".to_owned(),
            };
            writeln!(
                page,
                r#"<tr><td class="time">{}</td><td>{parent}</td><td>{}</td><td class="cmd">{}</td><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                when(&child.started),
                code(&child.image),
                code(&child.command),
                child
                    .process_id
                    .map(|pid| pid.to_string())
                    .unwrap_or_else(|| "—".to_owned()),
                code(child.process_guid.as_deref().unwrap_or_default()),
                code(child.user.as_deref().unwrap_or_default()),
                code(child.rule_id.as_deref().unwrap_or_default()),
                code(&child.row_id),
            )?;
        }
        writeln!(page, "</table>")?;
    }
    writeln!(
        page,
        "<h4>Is there phishing that correlates with the payload?</h4>"
    )?;
    if playbook.phishing.is_empty() {
        return none(
            page,
            "No document from e-mail or the web tied to a payload.",
        );
    }
    writeln!(page, "<ul>")?;
    for link in &playbook.phishing {
        writeln!(
            page,
            "<li>{} ({}): {} via {} · payload indicators {} · rows {}</li>",
            html(&link.text),
            html(&link.incident),
            code(&link.document),
            html(&link.via),
            codes(&link.payload_indicators),
            codes(&link.rows),
        )?;
    }
    writeln!(page, "</ul>")
}

/// The containment checklist: one checkbox per entity (ticks work on screen and print empty).
pub(super) fn containment(host: &str, containment: &Containment, page: &mut String) -> fmt::Result {
    writeln!(page, "<h3>Containment checklist</h3>")?;
    let c = containment;
    let mut items: Vec<String> = Vec::new();
    if let Some(why) = &c.isolate_host {
        items.push(format!(
            "Isolate <b>{}</b> from the network: {}",
            html(host),
            html(why)
        ));
    }
    for process in &c.processes {
        items.push(format!(
            "Terminate (if running) and collect {} · row {}",
            process_line(process),
            code(&process.row_id),
        ));
    }
    for file in &c.files {
        let hash = file
            .sha256
            .as_deref()
            .map(|sha| format!(" SHA-256 {}", code(sha)))
            .unwrap_or_default();
        items.push(format!(
            "Quarantine {}{hash}: {} · rows {}",
            code(&file.path),
            html(&file.why),
            codes(&file.rows),
        ));
    }
    for account in &c.accounts {
        let sid = account
            .sid
            .as_deref()
            .map(|sid| format!(" ({})", code(sid)))
            .unwrap_or_default();
        items.push(format!(
            "Review account {}{sid} (reset credentials, check sign-ins): {}",
            code(&account.user),
            html(&account.why),
        ));
    }
    for setting in &c.settings_to_revert {
        items.push(format!(
            "Revert {} = {} (set {}{}) · row {}",
            code(&setting.key),
            code(&setting.value),
            code(&setting.set_at),
            if setting.explained {
                ", explained by an incident"
            } else {
                ", <b>unexplained</b>"
            },
            code(&setting.row_id),
        ));
    }
    for check in &c.persistence {
        items.push(format!(
            "Check persistence at {}: {} · rows {}",
            code(&check.location),
            html(&check.why),
            codes(&check.rows),
        ));
    }
    for indicator in &c.block {
        items.push(format!(
            "Block {} at the proxy, DNS and firewall",
            code(indicator)
        ));
    }
    if items.is_empty() {
        return none(page, "Nothing to contain.");
    }
    writeln!(page, r#"<ul class="checklist">"#)?;
    for item in items {
        writeln!(page, r#"<li><input type="checkbox"> {item}</li>"#)?;
    }
    writeln!(page, "</ul>")
}

/// The indicators of compromise of the run, as one table.
pub(super) fn iocs(iocs: &[Ioc], page: &mut String) -> fmt::Result {
    writeln!(page, "<section><h2>Indicators of compromise</h2>")?;
    if iocs.is_empty() {
        none(page, "None.")?;
        return writeln!(page, "</section>");
    }
    writeln!(
        page,
        "<table><tr><th>kind</th><th class=\"cmd\">value</th><th>context</th><th>hosts</th><th>incidents</th><th>first seen</th><th>rows</th></tr>"
    )?;
    for ioc in iocs {
        writeln!(
            page,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="time">{}</td><td>{}</td></tr>"#,
            ioc.kind.label(),
            code(&ioc.value),
            html(&ioc.context),
            html(&ioc.hosts.join(", ")),
            html(&ioc.incidents.join(", ")),
            when(&ioc.first_seen),
            codes(&ioc.rows),
        )?;
    }
    writeln!(page, "</table></section>")
}
