//! Checks of what processes did: Equation Editor on the network (Sysmon 3), Office loading
//! modules from user-writable folders (Sysmon 7), Office prompts about links and DDE (OAlerts).

use super::LogFinding;
use super::names::{in_folder, is_named, markers_in};
use crate::formats::evtx::typed::{ModuleLoad, NetworkConnection, OfficeAlert};
use crate::profile::EventLogRules;

/// The findings of a network connection.
pub fn check_network(rules: &EventLogRules, connection: &NetworkConnection) -> Vec<LogFinding> {
    if is_named(&rules.process.equation_editor, &connection.image) {
        let port = connection
            .destination_port
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        vec![LogFinding::new(
            &rules.rules.equation_editor_network,
            format!("connects to {}{port}", connection.destination_ip),
        )]
    } else {
        Vec::new()
    }
}

/// The findings of a module load.
pub fn check_module(rules: &EventLogRules, load: &ModuleLoad) -> Vec<LogFinding> {
    let p = &rules.process;
    match in_folder(&p.user_writable_folders, &load.module) {
        Some(folder) if is_named(&p.office_apps, &load.image) => vec![LogFinding::new(
            &rules.rules.office_module_user_writable,
            format!("module from a user-writable folder ({folder})"),
        )],
        _ => Vec::new(),
    }
}

/// The markers of the profile an Office alert's text holds (empty: not a link or DDE prompt).
pub fn alert_markers(rules: &EventLogRules, alert: &OfficeAlert) -> Vec<String> {
    markers_in(&rules.office_alerts.markers, &alert.text)
}
