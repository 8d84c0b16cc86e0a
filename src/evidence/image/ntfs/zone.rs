//! Mark of the Web: the `Zone.Identifier` stream Windows attaches to a downloaded file or a
//! saved e-mail attachment, which says where the file came from.
//!
//! The stream is a small INI text (`[ZoneTransfer]`, `ZoneId=3`, `ReferrerUrl=...`,
//! `HostUrl=...`), usually ASCII, sometimes UTF-16 with a byte-order mark.

use serde::Serialize;

/// The most bytes of a stream read: real ones are a few hundred bytes.
const MAX_STREAM_BYTES: usize = 16 * 1024;

/// Where a file came from, as its `Zone.Identifier` stream says.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize)]
pub struct MarkOfTheWeb {
    /// The URL zone: 0 local machine, 1 intranet, 2 trusted, 3 internet, 4 restricted.
    pub zone_id: Option<u32>,
    /// The page the download started from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer_url: Option<String>,
    /// The address the file was downloaded from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_url: Option<String>,
}

impl MarkOfTheWeb {
    /// The zone's name.
    pub fn zone_name(&self) -> &'static str {
        match self.zone_id {
            Some(0) => "local machine",
            Some(1) => "local intranet",
            Some(2) => "trusted sites",
            Some(3) => "internet",
            Some(4) => "restricted sites",
            _ => "unknown zone",
        }
    }
}

/// Reads a `Zone.Identifier` stream; `None` when it holds no `[ZoneTransfer]` value at all.
pub fn parse(bytes: &[u8]) -> Option<MarkOfTheWeb> {
    let bytes = &bytes[..bytes.len().min(MAX_STREAM_BYTES)];
    let text = if let Some(utf16) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned()
    };
    let mut mark = MarkOfTheWeb::default();
    let mut in_zone_transfer = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_zone_transfer = line.eq_ignore_ascii_case("[ZoneTransfer]");
            continue;
        }
        let Some((key, value)) = line.split_once('=').filter(|_| in_zone_transfer) else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "zoneid" => mark.zone_id = value.parse().ok(),
            "referrerurl" if !value.is_empty() => mark.referrer_url = Some(value.to_owned()),
            "hosturl" if !value.is_empty() => mark.host_url = Some(value.to_owned()),
            _ => {}
        }
    }
    (mark != MarkOfTheWeb::default()).then_some(mark)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_zone_and_urls() {
        let stream = b"[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://mail.example.com/\r\nHostUrl=https://files.example.net/a.docx\r\n";
        let mark = parse(stream).unwrap();
        assert_eq!(mark.zone_id, Some(3));
        assert_eq!(mark.zone_name(), "internet");
        assert_eq!(
            mark.referrer_url.as_deref(),
            Some("https://mail.example.com/")
        );
        assert_eq!(
            mark.host_url.as_deref(),
            Some("https://files.example.net/a.docx")
        );
    }

    #[test]
    fn utf16_streams_and_other_sections() {
        let text = "[Other]\r\nZoneId=1\r\n[ZoneTransfer]\r\nZoneId=4\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mark = parse(&bytes).unwrap();
        assert_eq!(mark.zone_id, Some(4));
        assert_eq!(mark.host_url, None);
        assert_eq!(parse(b"garbage\x00\x01"), None);
    }
}
