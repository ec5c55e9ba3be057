//! Fails when the checked-in bindings (src/lib.rs) drift from tlsm.h.
//!
//! A small parser reads the header that build.rs compiled against (`TLSM_SYS_HEADER`):
//! comments are stripped, `#define NAME <integer>` and enum constants give values, every
//! other top-level declaration ending in `)` is a function (or a function-pointer typedef),
//! and `typedef struct { ... } name;` gives fields. C types are translated to the Rust
//! spelling the bindings must use (`const uint8_t *const *` is `*const *const u8`, `size_t`
//! is `usize`, `int` is `c_int`, ...). The bindings are read as text in the same way. Then:
//! every function must exist on both sides with the same parameter and return types, every
//! constant with the same value, every struct field in the same order with the same type.
//! `layout` below asks the C compiler (csrc/layout.c) for sizes and offsets.
use std::collections::BTreeMap;

const HEADER: &str = env!("TLSM_SYS_HEADER");
const BINDINGS: &str = include_str!("../src/lib.rs");

#[derive(Debug, PartialEq)]
struct Func {
    params: Vec<String>,
    ret: String,
}

#[derive(Default, Debug)]
struct Api {
    funcs: BTreeMap<String, Func>,
    fn_types: BTreeMap<String, Func>,
    consts: BTreeMap<String, i64>,
    structs: BTreeMap<String, Vec<(String, String)>>,
}

fn strip_c_comments(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("*/").expect("unterminated comment") + i + 2;
        out.push(' ');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.lines()
        .map(|l| l.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim().trim_start_matches('(').trim_end_matches(')').trim();
    // "A - B", as in `(-0x7fffffffffffffffLL - 1)` (INT64_MIN).
    if let Some((a, b)) = s.rsplit_once(" - ") {
        return parse_int(a)?.checked_sub(parse_int(b)?);
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r.trim()),
        None => (false, s),
    };
    let s = s.trim_end_matches(['u', 'U', 'l', 'L']);
    let v = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => i64::from_str_radix(h, 16).ok()?,
        None => s.parse().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// Splits a C declarator-ish string into tokens: identifiers, `*`.
fn c_tokens(s: &str) -> Vec<String> {
    s.replace('*', " * ").split_whitespace().map(str::to_string).collect()
}

fn c_base(t: &str) -> String {
    match t {
        "uint8_t" => "u8",
        "uint16_t" => "u16",
        "uint32_t" => "u32",
        "uint64_t" => "u64",
        "int32_t" => "i32",
        "int64_t" => "i64",
        "size_t" => "usize",
        "int" => "c_int",
        "unsigned" => "c_uint",
        "char" => "c_char",
        "void" => "c_void",
        other => other,
    }
    .to_string()
}

fn is_c_type_word(t: &str) -> bool {
    matches!(t, "const" | "*" | "uint8_t" | "uint16_t" | "uint32_t" | "uint64_t" | "int32_t" | "int64_t" | "size_t" | "int" | "unsigned" | "char" | "void")
        || t.starts_with("tlsm_")
}

/// Translates a C type (tokens, name removed) into the Rust spelling.
fn c_type_to_rust(tokens: &[String]) -> String {
    let mut cur = String::new();
    let mut cur_const = false;
    for t in tokens {
        match t.as_str() {
            "const" => cur_const = true,
            "*" => {
                cur = format!("{}{}", if cur_const { "*const " } else { "*mut " }, cur);
                cur_const = false;
            }
            base => {
                assert!(cur.is_empty(), "two base types in {tokens:?}");
                cur = c_base(base);
            }
        }
    }
    cur
}

/// A C parameter or field: returns (name, rust type).
fn c_param(p: &str) -> (String, String) {
    // Arrays: "char file[256]" is `[c_char; 256]`.
    if let (Some(open), true) = (p.find('['), p.trim_end().ends_with(']')) {
        let close = p.rfind(']').unwrap();
        let (name, ty) = c_param(&p[..open]);
        return (name, format!("[{ty}; {}]", p[open + 1..close].trim()));
    }
    let toks = c_tokens(p);
    let last = toks.last().expect("empty parameter").clone();
    if toks.len() > 1 && !is_c_type_word(&last) {
        (last, c_type_to_rust(&toks[..toks.len() - 1]))
    } else {
        (String::new(), c_type_to_rust(&toks))
    }
}

/// A struct member declaration, possibly of several names: `int64_t a, b` is two fields.
fn c_fields(decl: &str) -> Vec<(String, String)> {
    let mut parts = decl.split(',');
    let first = c_param(parts.next().unwrap());
    let mut out = vec![first.clone()];
    for name in parts {
        assert!(!name.contains(['*', '[']), "declarator too complex for the drift parser: {decl}");
        out.push((name.trim().to_string(), first.1.clone()));
    }
    out
}

fn c_params(list: &str) -> Vec<String> {
    let list = list.trim();
    if list.is_empty() || list == "void" {
        return Vec::new();
    }
    list.split(',').map(|p| c_param(p).1).collect()
}

fn c_ret(tokens: &[String]) -> String {
    let t = c_type_to_rust(tokens);
    if t == "c_void" {
        "()".into()
    } else {
        t
    }
}

fn parse_enum_body(body: &str, api: &mut Api) {
    let mut next = 0i64;
    for item in body.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (name, value) = match item.split_once('=') {
            Some((n, v)) => (n.trim(), parse_int(v).unwrap_or_else(|| panic!("enum value {item}"))),
            None => (item, next),
        };
        api.consts.insert(name.to_string(), value);
        next = value + 1;
    }
}

fn parse_header(text: &str) -> Api {
    let mut api = Api::default();
    let text = strip_c_comments(text);
    let mut code = String::new();
    for line in text.lines() {
        let l = line.trim();
        if let Some(def) = l.strip_prefix("#define") {
            let mut parts = def.trim().splitn(2, char::is_whitespace);
            let name = parts.next().unwrap();
            let value = parts.next().unwrap_or("");
            if !name.contains('(') {
                if let Some(v) = parse_int(value) {
                    api.consts.insert(name.to_string(), v);
                }
            }
        } else if !l.starts_with('#') {
            code.push_str(l);
            code.push(' ');
        }
    }
    let code = code.replace("TLSM_MUST_CHECK", " ").replace("extern \"C\" {", " ").replace('}', " } ");
    // Split at ';' but keep braces together.
    let mut stmts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, ch) in code.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ';' if depth == 0 => {
                stmts.push(code[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    for s in stmts {
        let s = s.trim_start_matches('}').trim().to_string();
        if s.is_empty() {
            continue;
        }
        if let Some(rest) = s.strip_prefix("typedef") {
            let rest = rest.trim();
            if rest.starts_with("enum") || rest.starts_with("struct") {
                let open = rest.find('{');
                let Some(open) = open else { continue }; // typedef struct x x;
                let close = rest.rfind('}').unwrap();
                let body = &rest[open + 1..close];
                let name = rest[close + 1..].trim().to_string();
                if rest.starts_with("enum") {
                    parse_enum_body(body, &mut api);
                } else {
                    let fields = body.split(';').filter(|f| !f.trim().is_empty()).flat_map(c_fields).collect();
                    api.structs.insert(name, fields);
                }
            } else if let Some(p) = rest.find("(*") {
                // typedef RET (*NAME)(PARAMS)
                let ret = c_ret(&c_tokens(&rest[..p]));
                let close = rest[p..].find(')').unwrap() + p;
                let name = rest[p + 2..close].trim().to_string();
                let params = &rest[close + 1..];
                let params = params.trim().trim_start_matches('(').trim_end_matches(')');
                api.fn_types.insert(name, Func { params: c_params(params), ret });
            }
        } else if let Some(body) = s.strip_prefix("enum") {
            let body = body.trim().trim_start_matches('{').trim_end_matches('}');
            parse_enum_body(body, &mut api);
        } else if s.ends_with(')') {
            let open = s.find('(').unwrap();
            let mut head = c_tokens(&s[..open]);
            let name = head.pop().unwrap();
            let params = &s[open + 1..s.len() - 1];
            api.funcs.insert(name, Func { params: c_params(params), ret: c_ret(&head) });
        } else {
            panic!("header declaration not understood by the drift parser: {s}");
        }
    }
    api
}

fn squash(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace("* ", "*").replace("*const", "*const ").replace("*mut", "*mut ").replace("  ", " ")
}

/// Splits a Rust parameter list at top-level commas.
fn rust_params(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut cur) = (0, String::new());
    for ch in list.chars() {
        match ch {
            '(' | '<' => depth += 1,
            ')' | '>' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    out.push(cur);
    out.into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| squash(p.split_once(':').expect("named parameter").1.trim()))
        .collect()
}

fn rust_sig(s: &str) -> Func {
    // "(params) -> ret" or "(params)"
    let open = s.find('(').unwrap();
    let mut depth = 0;
    let mut close = open;
    for (i, ch) in s[open..].char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = open + i;
                    break;
                }
            }
            _ => {}
        }
    }
    let ret = s[close + 1..].trim().trim_start_matches("->").trim();
    Func {
        params: rust_params(&s[open + 1..close]),
        ret: if ret.is_empty() { "()".into() } else { squash(ret) },
    }
}

fn parse_bindings(text: &str) -> Api {
    let mut api = Api::default();
    let body: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap())
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let body = body.split("mod tests").next().unwrap();
    for stmt in body.split(';') {
        let stmt = stmt.trim();
        let stmt = stmt.rsplit_once('}').map(|(_, r)| r.trim()).unwrap_or(stmt);
        let stmt = stmt.trim_start_matches("extern \"C\" {").trim();
        if let Some(rest) = stmt.strip_prefix("pub fn ") {
            let open = rest.find('(').unwrap();
            api.funcs.insert(rest[..open].trim().to_string(), rust_sig(&rest[open..]));
        } else if let Some(rest) = stmt.strip_prefix("pub const ") {
            let (name, value) = rest.split_once('=').unwrap();
            let name = name.split(':').next().unwrap().trim().to_string();
            api.consts.insert(name, parse_int(value).unwrap_or_else(|| panic!("const {rest}")));
        } else if let Some(rest) = stmt.strip_prefix("pub type ") {
            let (name, ty) = rest.split_once('=').unwrap();
            if let Some(sig) = ty.trim().strip_prefix("Option<unsafe extern \"C\" fn") {
                api.fn_types.insert(name.trim().to_string(), rust_sig(sig.strip_suffix('>').unwrap()));
            }
        }
    }
    // Structs: "pub struct NAME { pub a: T, ... }" with public fields only.
    let mut rest = body;
    while let Some(i) = rest.find("pub struct ") {
        rest = &rest[i + 11..];
        let open = rest.find('{').unwrap();
        let close = rest.find('}').unwrap();
        let name = rest[..open].trim().to_string();
        let fields: Vec<(String, String)> = rest[open + 1..close]
            .split(',')
            .filter_map(|f| f.trim().strip_prefix("pub "))
            .map(|f| {
                let (n, t) = f.split_once(':').unwrap();
                (n.trim().trim_end_matches('_').to_string(), squash(t))
            })
            .collect();
        if !fields.is_empty() {
            api.structs.insert(name, fields);
        }
        rest = &rest[close..];
    }
    api
}

fn header_api() -> Api {
    let text = std::fs::read_to_string(HEADER).expect("read tlsm.h");
    parse_header(&text)
}

#[test]
fn parser_sees_the_whole_header() {
    let h = header_api();
    // Sanity: the parser must find the API, not silently nothing.
    assert!(h.funcs.len() >= 70, "only {} functions parsed", h.funcs.len());
    assert_eq!(h.funcs["tlsm_feed"].params, ["*mut tlsm_conn", "*const u8", "usize", "*mut usize"]);
    assert_eq!(h.funcs["tlsm_config_add_identity_der"].params[1], "*const *const u8");
    assert_eq!(h.funcs["tlsm_config_free"].ret, "()");
    assert_eq!(h.consts["TLSM_ERR_CERT_NO_TRUST"], -0x40c);
    assert_eq!(h.consts["TLSM_ALERT_NO_APPLICATION_PROTOCOL"], 120);
    assert_eq!(h.fn_types["tlsm_clock_fn"].ret, "u64");
    assert_eq!(h.consts["TLSM_VERIFY_TIME_NOW"], i64::MIN);
    assert_eq!(h.funcs["tlsm_verify_chain"].params[6], "i64");
}

#[test]
fn every_function_matches() {
    let h = header_api();
    let b = parse_bindings(BINDINGS);
    let mut problems = Vec::new();
    for (name, f) in &h.funcs {
        match b.funcs.get(name) {
            None => problems.push(format!("missing in bindings: {name}")),
            Some(g) if g != f => problems.push(format!("{name}: header {f:?}, bindings {g:?}")),
            _ => {}
        }
    }
    for name in b.funcs.keys() {
        let is_macro = h.consts.contains_key(name) || name.starts_with("TLSM_ERR_");
        if !h.funcs.contains_key(name) && !is_macro {
            problems.push(format!("not in the header: {name}"));
        }
    }
    for (name, f) in &h.fn_types {
        if b.fn_types.get(name) != Some(f) {
            problems.push(format!("callback type {name}: header {f:?}, bindings {:?}", b.fn_types.get(name)));
        }
    }
    assert!(problems.is_empty(), "bindings drifted from tlsm.h:\n{}", problems.join("\n"));
}

#[test]
fn every_constant_matches() {
    let h = header_api();
    let b = parse_bindings(BINDINGS);
    let mut problems = Vec::new();
    for (name, v) in &h.consts {
        match b.consts.get(name) {
            None => problems.push(format!("missing in bindings: {name}")),
            Some(w) if w != v => problems.push(format!("{name}: header {v}, bindings {w}")),
            _ => {}
        }
    }
    for name in b.consts.keys() {
        if !h.consts.contains_key(name) {
            problems.push(format!("not in the header: {name}"));
        }
    }
    assert!(problems.is_empty(), "constants drifted from tlsm.h:\n{}", problems.join("\n"));
}

#[test]
fn every_struct_matches() {
    let h = header_api();
    let b = parse_bindings(BINDINGS);
    assert!(!h.structs.is_empty());
    for (name, fields) in &h.structs {
        assert_eq!(b.structs.get(name), Some(fields), "struct {name}");
    }
}

#[test]
fn function_like_macros_match() {
    use tlsm_sys::*;
    // The header's macros, spelled out: -(base | alert), low byte = alert.
    let text = std::fs::read_to_string(HEADER).unwrap();
    assert!(text.contains("#define TLSM_ERR_LOCAL_ALERT(a) (-(TLSM_ERR_LOCAL_ALERT_BASE | (int)(a)))"));
    assert!(text.contains("#define TLSM_ERR_PEER_ALERT(a)  (-(TLSM_ERR_PEER_ALERT_BASE | (int)(a)))"));
    assert!(text.contains("#define TLSM_ERR_ALERT(e) ((uint8_t)((-(e)) & 0xff))"));
    assert!(text.contains("((-(e)) & 0xf00) == TLSM_ERR_LOCAL_ALERT_BASE)"));
    assert!(text.contains("((-(e)) & 0xf00) == TLSM_ERR_PEER_ALERT_BASE)"));
    assert_eq!(TLSM_ERR_LOCAL_ALERT(40), -0x128);
    assert_eq!(TLSM_ERR_PEER_ALERT(40), -0x228);
}

extern "C" {
    fn tlsm_sys_layout(what: std::ffi::c_int) -> std::ffi::c_long;
}

#[test]
fn layout() {
    use std::mem::{align_of, offset_of, size_of};
    use tlsm_sys::*;
    // SAFETY: tlsm_sys_layout (csrc/layout.c) is a pure function of its argument.
    let c = |i| unsafe { tlsm_sys_layout(i) } as usize;
    assert_eq!(c(0), size_of::<tlsm_event>());
    assert_eq!(c(1), align_of::<tlsm_event>());
    assert_eq!(c(2), offset_of!(tlsm_event, type_));
    assert_eq!(c(3), offset_of!(tlsm_event, code));
    assert_eq!(c(4), offset_of!(tlsm_event, alert));
    assert_eq!(c(5), offset_of!(tlsm_event, fatal));
    assert_eq!(c(6), offset_of!(tlsm_event, msg_type));
    assert_eq!(c(7), offset_of!(tlsm_event, ccs));
    assert_eq!(c(8), size_of::<tlsm_role>());
    assert_eq!(c(9), size_of::<tlsm_event_type>());
    assert_eq!(c(10), size_of::<tlsm_verify_mode>());
    assert_eq!(c(11), 0, "tlsm_event_type is unsigned in C (c_uint here)");
    assert_eq!(c(12), size_of::<tlsm_trust_reject>());
    assert_eq!(c(13), size_of::<tlsm_trust_report>());
    assert_eq!(c(14), offset_of!(tlsm_trust_report, rejects));
    assert_eq!(c(15), offset_of!(tlsm_trust_reject, code));
    assert_eq!(c(16), size_of::<tlsm_verify_result>());
    assert_eq!(c(17), align_of::<tlsm_verify_result>());
    assert_eq!(c(18), offset_of!(tlsm_verify_result, path_anchor));
    assert_eq!(c(19), offset_of!(tlsm_verify_result, time));
    assert_eq!(c(20), size_of::<tlsm_cert_facts>());
    assert_eq!(c(21), offset_of!(tlsm_cert_facts, serial_len));
    assert_eq!(c(22), size_of::<tlsm_error_detail>());
    assert_eq!(c(23), offset_of!(tlsm_error_detail, line));
    assert_eq!(c(24), offset_of!(tlsm_error_detail, alert_sent));
    assert_eq!(c(25), size_of::<tlsm_pair_report>());
    assert_eq!(c(26), offset_of!(tlsm_pair_report, reason));
    assert_eq!(c(27), size_of::<tlsm_verify_cache_stats>());
    assert_eq!(c(28), offset_of!(tlsm_verify_cache_stats, capacity));
}

#[test]
fn parser_catches_drift() {
    // The comparison is real: a changed arity, type or value is reported.
    let h = parse_header(
        "#define TLSM_X 0x10\nenum { TLSM_A = -3, TLSM_B };\nint f(tlsm_conn *c, const uint8_t *p, size_t n);",
    );
    assert_eq!(h.consts["TLSM_B"], -2);
    let b = parse_bindings("extern \"C\" { pub fn f(c: *mut tlsm_conn, p: *const u8) -> c_int; }");
    assert_ne!(h.funcs["f"], b.funcs["f"]);
    let b = parse_bindings("extern \"C\" { pub fn f(c: *mut tlsm_conn, p: *mut u8, n: usize) -> c_int; }");
    assert_ne!(h.funcs["f"], b.funcs["f"]);
    let b = parse_bindings("extern \"C\" { pub fn f(c: *mut tlsm_conn, p: *const u8, n: usize) -> c_int; }");
    assert_eq!(h.funcs["f"], b.funcs["f"]);
}
