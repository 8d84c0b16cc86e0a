//! OLE objects inside a compound file: every storage (and the root) that carries a class,
//! reported with its CLSID and the ProgID of its `\x01CompObj` stream ([MS-OLEDS] 2.3.8), so the
//! checks can tell an Equation Editor object (CVE-2017-11882) from a chart.
//!
//! [MS-OLEDS]: https://learn.microsoft.com/openspecs/windows_protocols/ms-oleds

use super::{Cfb, read_stream};
use crate::formats::{DocumentRecord, DocumentScan, Limits, Location};

/// The nil CLSID: an entry without a class.
const NIL_CLSID: &str = "00000000-0000-0000-0000-000000000000";

/// Largest CompObj stream read (real ones are under 200 bytes).
const MAX_COMPOBJ: u64 = 64 * 1024;

/// Adds an [`DocumentRecord::EmbeddedObject`] for every storage with a class or a CompObj
/// ProgID, and for every `Equation Native` stream's storage.
pub(super) fn scan(file: &mut Cfb<'_>, _limits: &Limits, scan: &mut DocumentScan) {
    let storages: Vec<(String, String, bool)> = file
        .walk()
        .filter(|entry| !entry.is_stream())
        .map(|entry| {
            let path = entry.path().to_string_lossy().replace('\\', "/");
            let clsid = entry.clsid().to_string().to_uppercase();
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            (path, clsid, entry.is_root())
        })
        .collect();
    for (path, clsid, _root) in storages {
        let base = path.trim_end_matches('/');
        let prog_id = read_stream(file, &format!("{base}/\u{1}CompObj"), MAX_COMPOBJ)
            .ok()
            .and_then(|bytes| compobj_prog_id(&bytes));
        let equation_native = file.is_stream(format!("{base}/Equation Native"));
        let class_id = (clsid != NIL_CLSID).then(|| format!("{{{clsid}}}"));
        let prog_id = prog_id.or_else(|| equation_native.then(|| "Equation Native".to_owned()));
        if class_id.is_none() && prog_id.is_none() {
            continue;
        }
        let part = if base.is_empty() {
            "/".to_owned()
        } else {
            base.trim_start_matches('/').to_owned()
        };
        scan.records.push(DocumentRecord::EmbeddedObject {
            location: Location {
                part: Some(part),
                ..Location::default()
            },
            class_id,
            prog_id,
        });
    }
}

/// The ProgID of a CompObj stream: header (28 bytes), AnsiUserType, AnsiClipboardFormat, then
/// the ProgID as a length-prefixed ANSI string ([MS-OLEDS] 2.3.8 CompObjStream).
fn compobj_prog_id(bytes: &[u8]) -> Option<String> {
    let mut at = 28usize;
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    // AnsiUserType: length-prefixed string.
    let len = usize::try_from(u32_at(at)?).ok()?;
    at = at.checked_add(4)?.checked_add(len)?;
    // AnsiClipboardFormat: 0 (none), 0xFFFFFFFF / 0xFFFFFFFE + u32 format, or a string.
    let marker = u32_at(at)?;
    at = at.checked_add(4)?;
    match marker {
        0 => {}
        0xFFFF_FFFF | 0xFFFF_FFFE => at = at.checked_add(4)?,
        len => at = at.checked_add(usize::try_from(len).ok()?)?,
    }
    let len = usize::try_from(u32_at(at)?).ok()?;
    if len == 0 || len > 40 {
        return None;
    }
    let raw = bytes.get(at + 4..at + 4 + len)?;
    let text: String = raw
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| char::from(b))
        .collect();
    (!text.is_empty() && text.chars().all(|c| c.is_ascii_graphic())).then_some(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn compobj(user_type: &str, prog_id: &str) -> Vec<u8> {
        let mut bytes = vec![0u8; 28];
        bytes.extend((user_type.len() as u32 + 1).to_le_bytes());
        bytes.extend(user_type.as_bytes());
        bytes.push(0);
        bytes.extend(0u32.to_le_bytes());
        bytes.extend((prog_id.len() as u32 + 1).to_le_bytes());
        bytes.extend(prog_id.as_bytes());
        bytes.push(0);
        bytes
    }

    #[test]
    fn reads_the_prog_id() {
        assert_eq!(
            compobj_prog_id(&compobj("Microsoft Equation 3.0", "Equation.3")).as_deref(),
            Some("Equation.3")
        );
        assert_eq!(compobj_prog_id(&[0; 10]), None);
        assert_eq!(compobj_prog_id(&compobj("x", "")), None);
    }
}
