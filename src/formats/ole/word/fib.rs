//! The File Information Block (FIB) at the start of the WordDocument stream ([MS-DOC] 2.5.1):
//! which table stream holds the piece table, where the Clx lies in it, how many characters each
//! story has, and whether the document is encrypted.
//!
//! Only what the field reader needs is read. Every count and offset the FIB declares is checked
//! against the stream's real length; a FIB that does not fit gives a [`WordError`], never a
//! panic, and the caller falls back to carving the raw stream.
//!
//! [MS-DOC]: https://learn.microsoft.com/openspecs/office_file_formats/ms-doc

/// `FibBase.wIdent` of every Word binary document.
pub(super) const W_IDENT: u16 = 0xA5EC;
/// `FibBase.nFib` of Word 97; earlier versions (Word 6/95) lay the FIB out differently.
const NFIB_WORD97: u16 = 0x00C1;
/// Some Word 97 builds write 0x00C0; anything below is Word 6/95 or older.
const NFIB_MIN: u16 = 0x00C0;
/// Size of `FibBase`.
const FIB_BASE_LEN: usize = 32;
/// `FibRgFcLcb97` pair index of `fcClx`/`lcbClx` (MS-DOC 2.5.6; FIB offset 0x1A2).
const CLX_PAIR: usize = 33;

/// `FibBase` flag bits (MS-DOC 2.5.2).
const F_ENCRYPTED: u16 = 0x0100;
const F_WHICH_TBL_STM: u16 = 0x0200;
const F_OBFUSCATED: u16 = 0x8000;

/// Why the structure of a Word document could not be read.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
pub(super) enum WordError {
    /// A structure runs past the end of its stream.
    #[error("{what} at offset {offset:#x} runs past the end of the {len:#x}-byte {stream} stream")]
    Truncated {
        /// The structure.
        what: &'static str,
        /// Where it starts in its stream.
        offset: usize,
        /// The stream's length.
        len: usize,
        /// The stream.
        stream: &'static str,
    },
    /// `wIdent` is not 0xA5EC.
    #[error("FIB identifier is {found:#06x}, not {W_IDENT:#06x}")]
    BadIdent {
        /// The value found.
        found: u16,
    },
    /// The FIB predates Word 97.
    #[error("FIB version nFib {found:#06x} predates Word 97 ({NFIB_WORD97:#06x})")]
    TooOld {
        /// The value found.
        found: u16,
    },
    /// The FIB's `FibRgFcLcb` has no `fcClx`.
    #[error("FIB declares {count} fc/lcb pairs; fcClx is pair {CLX_PAIR}")]
    NoClxPair {
        /// The declared `cbRgFcLcb`.
        count: usize,
    },
    /// The table stream the FIB names is missing or unreadable.
    #[error("table stream {stream} unreadable: {detail}")]
    NoTable {
        /// `0Table` or `1Table`.
        stream: &'static str,
        /// Why.
        detail: String,
    },
    /// The Clx has no piece table or an entry of unknown type.
    #[error("Clx: {0}")]
    BadClx(String),
}

/// Character counts of the stories (`FibRgLw97`, MS-DOC 2.5.5).
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub(super) struct StoryLengths {
    /// Main document (`ccpText`).
    pub(super) text: u32,
    /// Footnotes (`ccpFtn`).
    pub(super) footnotes: u32,
    /// Headers and footers (`ccpHdd`).
    pub(super) headers: u32,
    /// Comments (`ccpAtn`).
    pub(super) comments: u32,
    /// Endnotes (`ccpEdn`).
    pub(super) endnotes: u32,
    /// Text boxes (`ccpTxbx`).
    pub(super) textboxes: u32,
    /// Header text boxes (`ccpHdrTxbx`).
    pub(super) header_textboxes: u32,
}

impl StoryLengths {
    /// Characters of all stories, plus the final paragraph mark Word adds after them when any
    /// story other than the main document is present (MS-DOC 2.4.1).
    pub(super) fn total(&self) -> u64 {
        let others = [
            self.footnotes,
            self.headers,
            self.comments,
            self.endnotes,
            self.textboxes,
            self.header_textboxes,
        ]
        .iter()
        .map(|&n| u64::from(n))
        .sum::<u64>();
        u64::from(self.text) + others + u64::from(others > 0)
    }
}

/// What the FIB says about the document.
#[derive(Clone, Debug, Eq, PartialEq)]
pub(super) struct Fib {
    /// `0Table` or `1Table` (`fWhichTblStm`).
    pub(super) table_stream: &'static str,
    /// Offset of the Clx in the table stream.
    pub(super) fc_clx: u32,
    /// Size of the Clx.
    pub(super) lcb_clx: u32,
    /// Story lengths.
    pub(super) stories: StoryLengths,
    /// `fEncrypted`: the text is encrypted.
    pub(super) encrypted: bool,
    /// `fObfuscated`: the encryption is XOR obfuscation rather than RC4.
    pub(super) obfuscated: bool,
}

/// Little-endian `u16` at `offset`, if the buffer holds it.
pub(super) fn read_u16(buf: &[u8], offset: usize) -> Option<u16> {
    let bytes = buf.get(offset..offset.checked_add(2)?)?;
    Some(u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]))
}

/// Little-endian `i16` at `offset`, if the buffer holds it.
pub(super) fn read_i16(buf: &[u8], offset: usize) -> Option<i16> {
    read_u16(buf, offset).map(|v| i16::from_le_bytes(v.to_le_bytes()))
}

/// Little-endian `u32` at `offset`, if the buffer holds it.
pub(super) fn read_u32(buf: &[u8], offset: usize) -> Option<u32> {
    let bytes: [u8; 4] = buf.get(offset..offset.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(bytes))
}

impl Fib {
    /// Reads the FIB from the start of the WordDocument stream.
    pub(super) fn parse(stream: &[u8]) -> Result<Fib, WordError> {
        let truncated = |what, offset| WordError::Truncated {
            what,
            offset,
            len: stream.len(),
            stream: "WordDocument",
        };
        let u16_at = |what, offset| read_u16(stream, offset).ok_or_else(|| truncated(what, offset));
        let u32_at = |what, offset| read_u32(stream, offset).ok_or_else(|| truncated(what, offset));

        let ident = u16_at("FibBase", 0)?;
        if ident != W_IDENT {
            return Err(WordError::BadIdent { found: ident });
        }
        let nfib = u16_at("FibBase", 2)?;
        if nfib < NFIB_MIN {
            return Err(WordError::TooOld { found: nfib });
        }
        let flags = u16_at("FibBase", 0x0A)?;
        if stream.len() < FIB_BASE_LEN {
            return Err(truncated("FibBase", 0));
        }

        // csw, fibRgW (csw u16), cslw, fibRgLw (cslw u32), cbRgFcLcb, fibRgFcLcbBlob (pairs).
        let csw_at = FIB_BASE_LEN;
        let csw = usize::from(u16_at("FIB csw", csw_at)?);
        let cslw_at = csw_at + 2 + csw * 2;
        let cslw = usize::from(u16_at("FIB cslw", cslw_at)?);
        let rglw = cslw_at + 2;
        let lw = |index: usize| -> Result<u32, WordError> {
            if index >= cslw {
                return Ok(0);
            }
            u32_at("FibRgLw97", rglw + index * 4)
        };
        let stories = StoryLengths {
            text: lw(3)?,
            footnotes: lw(4)?,
            headers: lw(5)?,
            comments: lw(7)?,
            endnotes: lw(8)?,
            textboxes: lw(9)?,
            header_textboxes: lw(10)?,
        };
        let pairs_at = rglw + cslw * 4;
        let pairs = usize::from(u16_at("FIB cbRgFcLcb", pairs_at)?);
        if pairs <= CLX_PAIR {
            return Err(WordError::NoClxPair { count: pairs });
        }
        let clx_at = pairs_at + 2 + CLX_PAIR * 8;
        Ok(Fib {
            table_stream: if flags & F_WHICH_TBL_STM != 0 {
                "1Table"
            } else {
                "0Table"
            },
            fc_clx: u32_at("FibRgFcLcb97 fcClx", clx_at)?,
            lcb_clx: u32_at("FibRgFcLcb97 lcbClx", clx_at + 4)?,
            stories,
            encrypted: flags & F_ENCRYPTED != 0,
            obfuscated: flags & F_OBFUSCATED != 0,
        })
    }

    /// The Clx bytes of `table`, checked against its length.
    pub(super) fn clx<'t>(&self, table: &'t [u8]) -> Result<&'t [u8], WordError> {
        let start = usize::try_from(self.fc_clx).unwrap_or(usize::MAX);
        let len = usize::try_from(self.lcb_clx).unwrap_or(usize::MAX);
        start
            .checked_add(len)
            .and_then(|end| table.get(start..end))
            .ok_or(WordError::Truncated {
                what: "Clx",
                offset: start,
                len: table.len(),
                stream: self.table_stream,
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
pub(super) mod tests {
    use super::*;

    /// A Word 97 FIB (csw 14, cslw 22, 93 pairs) with the given Clx position and main text
    /// length, `1Table` selected.
    pub(in crate::formats::ole) fn fib_bytes(fc_clx: u32, lcb_clx: u32, ccp_text: u32) -> Vec<u8> {
        let mut fib = vec![0u8; 32];
        fib[0..2].copy_from_slice(&W_IDENT.to_le_bytes());
        fib[2..4].copy_from_slice(&NFIB_WORD97.to_le_bytes());
        fib[0x0A..0x0C].copy_from_slice(&F_WHICH_TBL_STM.to_le_bytes());
        fib.extend(14u16.to_le_bytes());
        fib.extend([0u8; 28]);
        fib.extend(22u16.to_le_bytes());
        let mut lw = [0u32; 22];
        lw[3] = ccp_text;
        for value in lw {
            fib.extend(value.to_le_bytes());
        }
        fib.extend(0x5Du16.to_le_bytes());
        let mut pairs = vec![0u32; 0x5D * 2];
        pairs[CLX_PAIR * 2] = fc_clx;
        pairs[CLX_PAIR * 2 + 1] = lcb_clx;
        for value in pairs {
            fib.extend(value.to_le_bytes());
        }
        fib.extend(0u16.to_le_bytes());
        fib
    }

    #[test]
    fn reads_a_word97_fib() {
        let fib = Fib::parse(&fib_bytes(0x123, 0x45, 99)).unwrap();
        assert_eq!(fib.table_stream, "1Table");
        assert_eq!((fib.fc_clx, fib.lcb_clx), (0x123, 0x45));
        assert_eq!(fib.stories.text, 99);
        assert_eq!(fib.stories.total(), 99);
        assert!(!fib.encrypted && !fib.obfuscated);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = fib_bytes(0x10, 0x20, 5);
        for len in 0..bytes.len() {
            let err = Fib::parse(&bytes[..len]);
            if len >= 0x1A2 + 8 {
                assert!(err.is_ok(), "length {len}");
            } else {
                assert!(err.is_err(), "length {len}");
            }
        }
    }

    #[test]
    fn hostile_values_are_refused() {
        let mut bytes = fib_bytes(0x10, 0x20, 5);
        bytes[0] = 0;
        assert_eq!(
            Fib::parse(&bytes),
            Err(WordError::BadIdent { found: 0xA500 })
        );
        let mut bytes = fib_bytes(0x10, 0x20, 5);
        bytes[2..4].copy_from_slice(&0x0065u16.to_le_bytes());
        assert_eq!(Fib::parse(&bytes), Err(WordError::TooOld { found: 0x65 }));
        // A huge csw moves everything past the end.
        let mut bytes = fib_bytes(0x10, 0x20, 5);
        bytes[32..34].copy_from_slice(&0xFFFFu16.to_le_bytes());
        assert!(matches!(
            Fib::parse(&bytes),
            Err(WordError::Truncated { .. })
        ));
        // Too few pairs for fcClx.
        let mut bytes = fib_bytes(0x10, 0x20, 5);
        let pairs_at = 32 + 2 + 28 + 2 + 88;
        bytes[pairs_at..pairs_at + 2].copy_from_slice(&10u16.to_le_bytes());
        assert_eq!(Fib::parse(&bytes), Err(WordError::NoClxPair { count: 10 }));
    }

    #[test]
    fn clx_outside_the_table_is_an_error() {
        let fib = Fib::parse(&fib_bytes(0xFFFF_FFF0, 0x20, 5)).unwrap();
        assert!(matches!(
            fib.clx(&[0; 64]),
            Err(WordError::Truncated { what: "Clx", .. })
        ));
        let fib = Fib::parse(&fib_bytes(8, 16, 5)).unwrap();
        assert_eq!(fib.clx(&[7; 64]).unwrap().len(), 16);
        assert!(fib.clx(&[7; 20]).is_err());
    }

    #[test]
    fn story_total_counts_the_final_mark() {
        let stories = StoryLengths {
            text: 10,
            headers: 3,
            ..StoryLengths::default()
        };
        assert_eq!(stories.total(), 14);
    }
}
