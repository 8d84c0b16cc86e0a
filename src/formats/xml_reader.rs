//! The XML reading habits every Office XML parser here shares: a reader as lenient as Office
//! (mismatched and unmatched end tags, bare `&` accepted), and attribute lookup by local name.

use quick_xml::XmlVersion;
use quick_xml::events::BytesStart;

/// A reader over `text` that tolerates what Office tolerates: end tags that do not match,
/// end tags with no start, and `&` not starting an entity.
pub(crate) fn lenient(text: &str) -> quick_xml::Reader<&[u8]> {
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    reader
}

/// The unescaped value of the attribute with local name `name` (any prefix).
pub(crate) fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| match a.normalized_value(XmlVersion::Implicit1_0) {
            Ok(value) => value.into_owned(),
            Err(_) => a.value.to_string(),
        })
}
