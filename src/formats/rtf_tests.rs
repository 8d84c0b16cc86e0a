use super::*;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Ev {
    Begin(u64),
    Instr(String),
    Sep,
    Res(String),
    End(u64),
}
use Ev::{Begin, End, Sep};

#[derive(Default)]
struct Rec(Vec<Ev>);

impl FieldSink for Rec {
    fn begin(&mut self, offset: u64) {
        self.0.push(Begin(offset));
    }
    fn instruction(&mut self, text: &str) {
        assert!(!text.is_empty(), "empty instruction event");
        self.0.push(Ev::Instr(text.to_owned()));
    }
    fn separate(&mut self) {
        self.0.push(Sep);
    }
    fn result(&mut self, text: &str) {
        assert!(!text.is_empty(), "empty result event");
        self.0.push(Ev::Res(text.to_owned()));
    }
    fn end(&mut self, offset: u64) {
        self.0.push(End(offset));
    }
}

fn scan_with(data: &[u8], limits: &RtfLimits) -> (Vec<Ev>, Vec<String>) {
    let mut rec = Rec::default();
    let warnings = scan_fields(data, limits, &mut rec);
    (rec.0, warnings)
}

fn scan(data: &[u8]) -> (Vec<Ev>, Vec<String>) {
    scan_with(data, &RtfLimits::default())
}

fn i(s: &str) -> Ev {
    Ev::Instr(s.to_owned())
}

fn r(s: &str) -> Ev {
    Ev::Res(s.to_owned())
}

/// All instruction text joined, as a consumer would assemble it.
fn instr(evs: &[Ev]) -> String {
    evs.iter()
        .filter_map(|e| {
            if let Ev::Instr(s) = e {
                Some(s.as_str())
            } else {
                None
            }
        })
        .collect()
}

fn pos(hay: &[u8], needle: &[u8]) -> u64 {
    let found = hay.windows(needle.len()).position(|w| w == needle);
    assert!(found.is_some(), "needle missing");
    found.unwrap_or_default() as u64
}

/// Checks begin/end balance and that text only arrives inside a field; returns the begin count.
fn check_balanced(evs: &[Ev], len: usize) -> usize {
    let (mut depth, mut begins) = (0usize, 0);
    for e in evs {
        match e {
            Begin(o) => {
                assert!(*o <= len as u64);
                depth += 1;
                begins += 1;
            }
            End(o) => {
                assert!(*o <= len as u64);
                assert!(depth > 0, "end without begin");
                depth -= 1;
            }
            _ => assert!(depth > 0, "text outside a field: {e:?}"),
        }
    }
    assert_eq!(depth, 0, "unbalanced: {evs:?}");
    begins
}

#[test]
fn plain_field() {
    let rtf = br#"{\rtf1{\field{\*\fldinst DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"}{\fldrslt x}}}"#;
    let (evs, warns) = scan(rtf);
    let end = rtf.len() as u64 - 1;
    let code = r#"DDEAUTO c:\windows\system32\cmd.exe "/k calc.exe""#;
    assert_eq!(evs, vec![Begin(6), i(code), Sep, r("x"), End(end)]);
    assert!(warns.is_empty(), "{warns:?}");
}

#[test]
fn fldinst_without_star() {
    let (evs, warns) = scan(br"{\rtf1{\field{\fldinst DDE c:\\a.exe x}}}");
    assert_eq!(evs, vec![Begin(6), i(r"DDE c:\a.exe x"), End(40)]);
    assert!(warns.is_empty());
}

#[test]
fn split_groups_join() {
    let rtf = br#"{\rtf1{\field{\*\fldinst {DD}{\b0 EAU}TO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"}}}"#;
    let (evs, _) = scan(rtf);
    assert_eq!(
        instr(&evs),
        r#"DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe""#
    );
}

#[test]
fn hex_escapes() {
    let (evs, _) = scan(br"{\rtf1{\field{\*\fldinst \'44\'44\'45AUTO x}}}");
    assert_eq!(instr(&evs), "DDEAUTO x");
}

#[test]
fn unicode_and_fallback_skipping() {
    let cases: &[&[u8]] = &[
        br"{\field{\*\fldinst \u68?\u68?EAUTO}}",
        br"{\field{\*\fldinst \uc0\u68\u68EAUTO}}",
        br"{\field{\*\fldinst \uc2\u68\'aa\'bb\u68 xyEAUTO}}",
        br"{\field{\*\fldinst {\uc2\u68 xy}\u68?EAUTO}}",
        br"{\field{\*\fldinst \u68\'44\u68\~EAUTO}}",
    ];
    for rtf in cases {
        assert_eq!(
            instr(&scan(rtf).0),
            "DDEAUTO",
            "{}",
            String::from_utf8_lossy(rtf)
        );
    }
}

#[test]
fn negative_unicode() {
    let (evs, _) = scan(br"{\field{\*\fldinst \u-3913?\u-1?}}");
    assert_eq!(instr(&evs), "\u{F0B7}\u{FFFF}");
}

#[test]
fn surrogate_pairs() {
    assert_eq!(
        instr(&scan(br"{\field{\*\fldinst \u-10179?\u-8704?}}").0),
        "\u{1F600}"
    );
    assert_eq!(
        instr(&scan(br"{\field{\*\fldinst \u55357?\u56832?}}").0),
        "\u{1F600}"
    );
    assert_eq!(
        instr(&scan(br"{\field{\*\fldinst \u55357?x}}").0),
        "\u{FFFD}x"
    );
    assert_eq!(
        instr(&scan(br"{\field{\*\fldinst \u56832?x}}").0),
        "\u{FFFD}x"
    );
}

#[test]
fn nested_quote_field() {
    let rtf =
        br#"{\rtf1{\field{\*\fldinst DDEAUTO {\field{\*\fldinst QUOTE 99 109 100}} "/c calc"}}}"#;
    let (evs, warns) = scan(rtf);
    let inner = pos(rtf, br"{\field{\*\fldinst QUOTE");
    let inner_end = pos(rtf, br#" "/c"#);
    let expected = vec![
        Begin(6),
        i("DDEAUTO "),
        Begin(inner),
        i("QUOTE 99 109 100"),
        End(inner_end),
        i(r#" "/c calc""#),
        End(rtf.len() as u64 - 1),
    ];
    assert_eq!(evs, expected);
    assert!(warns.is_empty());
}

#[test]
fn hyperlink_results() {
    let rtf = br#"{\rtf1{\field{\*\fldinst HYPERLINK "http://x/"}{\fldrslt {\ul click}\par here}{\fldrslt !}}}"#;
    let (evs, _) = scan(rtf);
    let expected = vec![
        Begin(6),
        i(r#"HYPERLINK "http://x/""#),
        Sep,
        r("click\nhere!"),
        End(rtf.len() as u64 - 1),
    ];
    assert_eq!(evs, expected);
}

#[test]
fn bin_is_skipped() {
    let (evs, warns) = scan(br"{\rtf1{\field{\*\fldinst DD\bin3 {{{EAUTO}}}");
    assert_eq!(instr(&evs), "DDEAUTO");
    assert_eq!(check_balanced(&evs, 0x30), 1);
    assert!(warns.is_empty(), "{warns:?}");
    let (_, warns) = scan(br"{\rtf1\bin999 {{");
    assert!(
        warns
            .iter()
            .any(|w| w.contains("clamped") && w.contains("0x6")),
        "{warns:?}"
    );
}

#[test]
fn code_pages() {
    let mut raw = br"{\rtf1{\field{\*\fldinst caf".to_vec();
    raw.extend_from_slice(b"\xe9}}}");
    assert_eq!(instr(&scan(&raw).0), "caf\u{e9}");
    assert_eq!(
        instr(&scan(br"{\rtf1\ansi\ansicpg949{\field{\*\fldinst \'b0\'a1}}}").0),
        "\u{AC00}"
    );
    let fonts = br"{\rtf1{\fonttbl{\f1\fnil\fcharset129 Gulim;}}{\field{\*\fldinst \f1 \'b0\'a1}}}";
    assert_eq!(instr(&scan(fonts).0), "\u{AC00}");
    assert_eq!(
        instr(&scan(br"{\rtf1\ansicpg1200{\field{\*\fldinst \'e9}}}").0),
        "\u{e9}"
    );
}

#[test]
fn unbalanced_braces() {
    let rtf = br"{\rtf1}}{\field{\*\fldinst DDE x}}";
    let (evs, warns) = scan(rtf);
    assert_eq!(evs, vec![Begin(8), i("DDE x"), End(rtf.len() as u64)]);
    assert!(
        warns
            .iter()
            .any(|w| w.contains("unmatched") && w.contains("0x7")),
        "{warns:?}"
    );

    let rtf = br"{\rtf1{\field{\*\fldinst DDEAUTO calc";
    let (evs, warns) = scan(rtf);
    assert_eq!(
        evs,
        vec![Begin(6), i("DDEAUTO calc"), End(rtf.len() as u64)]
    );
    assert!(
        warns.iter().any(|w| w.contains("3 group(s) still open")),
        "{warns:?}"
    );
}

#[test]
fn deep_nesting() {
    let mut rtf = b"{".repeat(100_000);
    rtf.extend_from_slice(br"{\field{\*\fldinst DDE x}}");
    rtf.extend_from_slice(&b"}".repeat(100_000));
    let (evs, warns) = scan(&rtf);
    assert_eq!(check_balanced(&evs, rtf.len()), 1);
    assert!(instr(&evs).starts_with("DDE x"));
    assert_eq!(
        warns
            .iter()
            .filter(|w| w.contains("deeper than 1024"))
            .count(),
        1,
        "{warns:?}"
    );

    let (evs, warns) = scan(&b"{".repeat(100_000));
    assert!(evs.is_empty());
    assert!(
        warns
            .iter()
            .any(|w| w.contains("100000 group(s) still open")),
        "{warns:?}"
    );
}

#[test]
fn field_depth_limit() {
    let rtf = br"{\field{\*\fldinst A{\field{\*\fldinst B{\field{\*\fldinst C}}}}}}";
    let limits = RtfLimits {
        max_field_depth: 2,
        ..RtfLimits::default()
    };
    let (evs, warns) = scan_with(rtf, &limits);
    let len = rtf.len() as u64;
    assert_eq!(
        evs,
        vec![Begin(0), i("A"), Begin(20), i("B"), End(len - 2), End(len)]
    );
    assert_eq!(
        warns.iter().filter(|w| w.contains("deeper than 2")).count(),
        1,
        "{warns:?}"
    );
}

#[test]
fn text_outside_fields_is_not_reported() {
    let (evs, warns) = scan(br"{\rtf1\ansi Hello {\b DDEAUTO} world\par}");
    assert!(evs.is_empty());
    assert!(warns.is_empty());
}

#[test]
fn datafield_and_unknown_destinations_are_skipped() {
    let rtf = br"{\rtf1{\field{\*\fldinst FORMTEXT {\*\datafield 0102DDEAUTO}}{\fldrslt x}}}";
    let (evs, _) = scan(rtf);
    assert_eq!(instr(&evs), "FORMTEXT ");
    assert_eq!(
        instr(&scan(br"{\field{\*\fldinst DDE{\*\foo junk}AUTO}}").0),
        "DDEAUTO"
    );
    let (evs, _) = scan(br"{\rtf1{\*\foo{\field{\*\fldinst DDEAUTO x}}}}");
    assert!(evs.is_empty());
}

#[test]
fn control_words_and_symbols_in_instruction() {
    let rtf = br"{\field{\*\fldinst {\lang1033\cf1 DDE}\b0 AUTO\par x\line y\tab z
 a\{b\}c\\d\~e\-f}}";
    assert_eq!(instr(&scan(rtf).0), "DDEAUTO x y z a{b}c\\d\u{a0}ef");
}

#[test]
fn fldinst_outside_field_warns() {
    let (evs, warns) = scan(br"{\rtf1{\*\fldinst DDEAUTO x}}");
    assert!(evs.is_empty());
    assert!(
        warns.iter().any(|w| w.contains("outside any field at 0x9")),
        "{warns:?}"
    );
}

#[test]
fn missing_header_still_scanned() {
    let (evs, warns) = scan(br"{\rt{\field{\*\fldinst DDEAUTO x}}}");
    assert_eq!(instr(&evs), "DDEAUTO x");
    assert_eq!(warns.len(), 1, "{warns:?}");
}

#[test]
fn warnings_are_capped() {
    let (_, warns) = scan(&b"}".repeat(1000));
    assert_eq!(warns.len(), MAX_WARNINGS + 1);
    assert!(warns.last().is_some_and(|w| w.contains("further warning")));
}

#[test]
fn small_group_limit() {
    let limits = RtfLimits {
        max_group_depth: 2,
        ..RtfLimits::default()
    };
    let (evs, warns) = scan_with(br"{\rtf1{\field{\*\fldinst DDE x}}} tail", &limits);
    assert_eq!(instr(&evs), "DDE x");
    assert_eq!(check_balanced(&evs, 37), 1);
    assert_eq!(warns.len(), 1, "{warns:?}");
}

const SAMPLE: &[u8] = br#"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss\fcharset0 Arial;}{\f1\fcharset129 Gulim;}}
{\*\generator Msftedit;}\viewkind4\uc1\pard\f0\fs20 Hello {\b world}\par
{\field{\*\fldinst {DD}{\b0 EAU}TO \u68?\'44E c:\\\\cmd.exe "/k {\field{\*\fldinst QUOTE 99}{\fldrslt c}}"}
{\fldrslt {\f1 \'b0\'a1}\bin4 {}{x}}}{\*\datafield 01\u-10179?\u-8704?}\uc2\u233\'e9\'e9 }}}"#;

#[test]
fn every_prefix_is_balanced() {
    let (evs, _) = scan(SAMPLE);
    assert_eq!(check_balanced(&evs, SAMPLE.len()), 2);
    for len in 0..=SAMPLE.len() {
        let data = SAMPLE.get(..len).unwrap_or_default();
        let (evs, _) = scan(data);
        check_balanced(&evs, len);
    }
}

#[test]
fn random_token_soup_is_balanced() {
    const TOKENS: &[&[u8]] = &[
        b"{",
        b"}",
        b"\\field",
        b"{\\*\\fldinst ",
        b"{\\fldrslt ",
        b"DDE",
        b"\\'b0",
        b"\\u-10179?",
        b"\\uc2",
        b"\\bin2 ",
        b"\\*",
        b"\\ansicpg932",
        b"\\\\",
        b"\\",
        b"\r\n",
        b"\xe9",
        b"\\par",
        b"\\f1",
        b"{\\fonttbl{\\f1\\fcharset128 x;}}",
        b"\\u56832 ",
        b"\\'",
        b"\\object",
        b"{\\*\\objdata ",
        b"{\\*\\objclass ",
        b"0f",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..2000 {
        let mut data = Vec::new();
        for _ in 0..40 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            data.extend_from_slice(
                TOKENS
                    .get((seed % TOKENS.len() as u64) as usize)
                    .unwrap_or(&&b""[..]),
            );
        }
        let limits = RtfLimits {
            max_group_depth: 6,
            max_field_depth: 3,
            max_object_bytes: 4,
            max_objects: 3,
        };
        let (evs, _) = scan_with(&data, &limits);
        check_balanced(&evs, data.len());
    }
}
