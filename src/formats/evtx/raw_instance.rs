//! The substitution values of a record's template instance, read from its BinXML without
//! decoding them.
//!
//! Written here rather than taken from the evtx crate because the crate can only decode every
//! value of every instance (`EvtxRecord::template_instances`, with UTF-16 validation), about
//! as costly as building the record again; deciding whether to render a record needs two values
//! (the event ID and the channel), located by their descriptors (MS-EVEN6 2.2.12, template
//! instance: token 0x0C, template id, definition offset, an inline definition when the offset
//! points just after, the value count, then a size and type per value and the values).

/// The GUID of a template definition.
pub(super) type TemplateId = [u8; 16];

/// Most values an instance may declare (Windows templates have a few dozen).
const MAX_VALUES: usize = 1024;

/// BinXML value types read here.
mod value_type {
    pub const STRING: u8 = 0x01;
    pub const UINT8: u8 = 0x04;
    pub const UINT16: u8 = 0x06;
    pub const UINT32: u8 = 0x08;
    pub const UINT64: u8 = 0x0a;
}

/// A template instance's values, undecoded.
#[derive(Clone, Debug)]
pub(super) struct RawInstance<'a> {
    /// The template's GUID.
    pub template: TemplateId,
    /// (type, start, end) of each value in `data`.
    values: Vec<(u8, usize, usize)>,
    data: &'a [u8],
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

impl<'a> RawInstance<'a> {
    /// The instance that makes up the record whose BinXML `raw` starts `offset` bytes into
    /// `chunk`; `None` when the record is not a single template instance or is damaged.
    pub fn parse(chunk: &[u8], offset: usize, raw: &'a [u8]) -> Option<RawInstance<'a>> {
        let mut at = 0;
        if raw.first() == Some(&0x0f) {
            at += 4; // fragment header: token, major and minor version, flags
        }
        if raw.get(at) != Some(&0x0c) {
            return None;
        }
        at += 2 + 4; // token, unknown byte, template id
        let definition = usize::try_from(u32_at(raw, at)?).ok()?;
        at += 4;
        if definition == offset.checked_add(at)? {
            // Defined inline: next-definition offset, GUID, size, then the definition.
            let size = usize::try_from(u32_at(raw, at + 20)?).ok()?;
            at = at.checked_add(24)?.checked_add(size)?;
        }
        let template: TemplateId = chunk
            .get(definition.checked_add(4)?..definition.checked_add(20)?)?
            .try_into()
            .ok()?;
        let count = usize::try_from(u32_at(raw, at)?).ok()?;
        if count > MAX_VALUES {
            return None;
        }
        at += 4;
        let descriptors = raw.get(at..at.checked_add(count * 4)?)?;
        let mut start = at + count * 4;
        let mut values = Vec::with_capacity(count);
        for descriptor in descriptors.chunks_exact(4) {
            let size = usize::from(u16::from_le_bytes([
                *descriptor.first()?,
                *descriptor.get(1)?,
            ]));
            let end = start.checked_add(size)?;
            values.push((*descriptor.get(2)?, start, end));
            start = end;
        }
        let data = raw.get(..start)?;
        Some(RawInstance {
            template,
            values,
            data,
        })
    }

    /// How many values the instance has.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Value `index` as an unsigned number, if it is one.
    pub fn number(&self, index: usize) -> Option<u64> {
        let (kind, start, end) = *self.values.get(index)?;
        let bytes = self.data.get(start..end)?;
        let mut buffer = [0u8; 8];
        let width = match kind {
            value_type::UINT8 => 1,
            value_type::UINT16 => 2,
            value_type::UINT32 => 4,
            value_type::UINT64 => 8,
            _ => return None,
        };
        buffer
            .get_mut(..width)?
            .copy_from_slice(bytes.get(..width)?);
        Some(u64::from_le_bytes(buffer))
    }

    /// Value `index` as UTF-16LE bytes (without a terminating NUL), if it is a string.
    pub fn text(&self, index: usize) -> Option<&'a [u8]> {
        let (kind, start, end) = *self.values.get(index)?;
        if kind != value_type::STRING {
            return None;
        }
        let mut bytes = self.data.get(start..end)?;
        while let Some(rest) = bytes.strip_suffix(&[0, 0]) {
            bytes = rest;
        }
        Some(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
pub(super) mod tests {
    use super::*;

    /// A chunk holding a template definition at offset 16 and, at offset 64, a record that
    /// references it with the given (type, bytes) values.
    pub fn chunk_with(values: &[(u8, Vec<u8>)]) -> (Vec<u8>, usize) {
        let mut chunk = vec![0u8; 64];
        chunk[20..36].copy_from_slice(&[7; 16]); // the GUID, after the next-offset field
        let offset = chunk.len();
        chunk.extend([0x0f, 1, 1, 0, 0x0c, 1, 0, 0, 0, 0]);
        chunk.extend(16u32.to_le_bytes());
        chunk.extend((values.len() as u32).to_le_bytes());
        for (kind, bytes) in values {
            chunk.extend((bytes.len() as u16).to_le_bytes());
            chunk.extend([*kind, 0]);
        }
        for (_, bytes) in values {
            chunk.extend(bytes);
        }
        (chunk, offset)
    }

    #[test]
    fn values_are_found_by_their_descriptors() {
        let channel: Vec<u8> = "Security\0"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let (chunk, offset) = chunk_with(&[
            (value_type::UINT8, vec![4]),
            (value_type::UINT16, 4688u16.to_le_bytes().to_vec()),
            (value_type::STRING, channel),
        ]);
        let instance = RawInstance::parse(&chunk, offset, &chunk[offset..]).unwrap();
        assert_eq!(instance.template, [7; 16]);
        assert_eq!(instance.len(), 3);
        assert_eq!(instance.number(0), Some(4));
        assert_eq!(instance.number(1), Some(4688));
        assert_eq!(instance.number(2), None);
        let security: Vec<u8> = "Security"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(instance.text(2), Some(security.as_slice()));
        assert_eq!(instance.text(3), None);
        // Damaged: not an instance, or values past the end.
        assert!(RawInstance::parse(&chunk, offset, &[0x0f, 1, 1, 0, 0x01]).is_none());
        assert!(RawInstance::parse(&chunk, offset, &chunk[offset..chunk.len() - 3]).is_none());
    }
}
