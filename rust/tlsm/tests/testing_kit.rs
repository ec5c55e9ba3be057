//! The testing kit (feature `testing`) from Rust: both versions, faults ending with the
//! expected alert on both sides, stepping, determinism, traces, pcap, key log, resumption.
use tlsm::testing::{test_configs, Pair, Side, TraceFormat};
use tlsm::{Alert, AlertSource, Event, Version};

const VERSIONS: [Version; 2] = [Version::Tls12, Version::Tls13];

fn pair(version: Version) -> Pair {
    Pair::with_test_pki(Some(version)).expect("test pair")
}

#[test]
fn handshake_data_and_close_both_versions() {
    for v in VERSIONS {
        let mut p = pair(v);
        p.handshake();
        p.write(Side::Client, b"ping").unwrap();
        assert_eq!(p.buffered(Side::Server), 4);
        assert_eq!(p.read(Side::Server), b"ping");
        assert!(p.read(Side::Server).is_empty());
        let big: Vec<u8> = (0..50_000u32).map(|i| i as u8).collect();
        p.write(Side::Server, &big).unwrap();
        assert_eq!(p.read(Side::Client), big, "{v:?}");
        p.close(Side::Client).unwrap();
        p.eof(Side::Client).unwrap();
        let (c, s) = (p.report(Side::Client), p.report(Side::Server));
        for r in [c, s] {
            assert_eq!(r.error, None, "{v:?}");
            assert!(r.handshake_done);
            assert_eq!(r.version, Some(v));
            assert!(r.cipher_suite.is_some() && r.group.is_some());
            assert_eq!((r.alert_sent, r.alert_received), (None, None));
        }
        assert!(s.peer_closed && !c.peer_closed);
        assert_eq!((c.app_bytes_received, s.app_bytes_received), (50_000, 4));
    }
}

#[test]
fn faults_end_with_the_expected_alert_on_both_sides() {
    let cases = [
        (Version::Tls13, "corrupt:-1@s2c:msg=Certificate", Side::Client, Alert::BAD_RECORD_MAC),
        (Version::Tls13, "corrupt:-1@c2s:msg=Finished", Side::Server, Alert::BAD_RECORD_MAC),
        (Version::Tls13, "drop@s2c:msg=ServerHello", Side::Client, Alert::UNEXPECTED_MESSAGE),
        (Version::Tls12, "corrupt:-1@s2c:msg=Finished", Side::Client, Alert::BAD_RECORD_MAC),
        (Version::Tls12, "corrupt:-1@c2s:msg=Finished", Side::Server, Alert::BAD_RECORD_MAC),
        (Version::Tls12, "drop@c2s:msg=ClientKeyExchange", Side::Server, Alert::UNEXPECTED_MESSAGE),
        (Version::Tls12, "dup@c2s:msg=ChangeCipherSpec", Side::Server, Alert::UNEXPECTED_MESSAGE),
    ];
    for (v, spec, detector, alert) in cases {
        let mut p = pair(v);
        p.add_fault(spec).unwrap();
        let err = p.run().expect_err(spec);
        assert_eq!(err.alert(), Some((alert, AlertSource::Local)), "{v:?} {spec}: {err}");
        p.expect_alert(detector, alert);
        assert!(p.trace(TraceFormat::Ladder).contains("!! fault:"), "{spec}");
        assert!(p.events(detector).iter().any(|e| matches!(e, Event::Error(_))), "{spec}");
    }
}

#[test]
#[should_panic(expected = "expected the server to send")]
fn expect_alert_panics_with_the_trace() {
    let mut p = pair(Version::Tls13);
    p.add_fault("corrupt:-1@s2c:msg=Certificate").unwrap();
    let _ = p.run();
    p.expect_alert(Side::Server, Alert::BAD_RECORD_MAC);
}

#[test]
fn tolerated_faults_and_a_stall() {
    for v in VERSIONS {
        let mut p = pair(v);
        for f in ["fragment:1@c2s:all", "delay:2@s2c", "split:3@s2c:msg=ServerHello"] {
            p.add_fault(f).unwrap();
        }
        p.handshake();
        p.write(Side::Client, b"fragmented").unwrap();
        assert_eq!(p.read(Side::Server), b"fragmented");

        let mut q = pair(v);
        q.add_fault("drop@c2s:msg=Finished").unwrap();
        q.run().unwrap(); // a stall is no error
        assert!(!q.report(Side::Server).handshake_done);
        assert!(q.eof(Side::Client).unwrap_err().is_truncated());
    }
}

#[test]
fn step_by_step() {
    let mut p = pair(Version::Tls13);
    let mut steps = 0;
    while p.step().unwrap() {
        steps += 1;
        if steps == 1 {
            assert!(!p.report(Side::Client).handshake_done);
        }
        assert!(steps < 20, "no end");
    }
    assert!(steps >= 3, "{steps} steps");
    assert!(p.report(Side::Client).handshake_done && p.report(Side::Server).handshake_done);
    assert!(!p.step().unwrap());
    let sent: Vec<u8> = p
        .events(Side::Client)
        .iter()
        .filter_map(|e| match e {
            Event::MessageSent { msg_type, ccs: false } => Some(*msg_type),
            _ => None,
        })
        .collect();
    assert_eq!(sent.first(), Some(&1), "ClientHello first: {sent:?}");
    assert_eq!(sent.last(), Some(&20), "Finished last: {sent:?}");
}

#[test]
fn misuse_is_an_error() {
    let mut p = pair(Version::Tls13);
    assert_eq!(p.write(Side::Client, b"early").unwrap_err().code(), tlsm::sys::TLSM_ERR_STATE);
    for bad in ["", "explode@c2s", "drop@sideways", "truncate@c2s", "drop@c2s:msg=Nope", "nul\0byte"] {
        assert_eq!(p.add_fault(bad).unwrap_err().code(), tlsm::sys::TLSM_ERR_ARG, "{bad:?}");
    }
    assert!(Pair::new(&test_configs(None).unwrap().0, &test_configs(None).unwrap().1, "a\0b").is_err());
}

#[test]
fn same_seed_same_bytes() {
    let run = |seed| {
        let mut p = pair(Version::Tls13);
        p.seed(seed);
        p.add_fault("corrupt@c2s:msg=ApplicationData").unwrap();
        p.handshake();
        let _ = p.write(Side::Client, b"hello");
        (p.pcap(), p.trace(TraceFormat::Json))
    };
    assert_eq!(run(7), run(7));
}

#[test]
fn trace_formats() {
    for v in VERSIONS {
        let mut p = pair(v);
        p.handshake();
        p.write(Side::Client, b"ping").unwrap();
        let ladder = p.trace(TraceFormat::Ladder);
        for want in ["ClientHello", "ServerHello", "Finished", "client", "server"] {
            assert!(ladder.contains(want), "ladder lacks {want}:\n{ladder}");
        }
        assert!(ladder.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b)), "not plain ASCII");
        let mermaid = p.trace(TraceFormat::Mermaid);
        assert!(mermaid.trim_start().starts_with("sequenceDiagram"), "{mermaid}");
        assert!(mermaid.contains("ClientHello"));
        let json = p.trace(TraceFormat::Json);
        let json = json.trim();
        assert!(json.starts_with('{') && json.ends_with('}'), "{json}");
        for key in ["\"records\"", "\"client\"", "\"server\""] {
            assert!(json.contains(key), "JSON lacks {key}");
        }
        assert_eq!(json.matches('{').count(), json.matches('}').count());
        assert_eq!(json.matches('[').count(), json.matches(']').count());
    }
}

#[test]
fn pcap_header_and_keylog_labels() {
    for v in VERSIONS {
        let mut p = pair(v);
        p.handshake();
        p.write(Side::Client, b"tlsm-rs-ping").unwrap();
        p.write(Side::Server, b"tlsm-rs-pong").unwrap();
        p.close(Side::Client).unwrap();

        let pcap = p.pcap();
        assert!(pcap.len() > 24);
        let le = u32::from_le_bytes(pcap[0..4].try_into().unwrap()) == 0xa1b2_c3d4;
        let be = u32::from_be_bytes(pcap[0..4].try_into().unwrap()) == 0xa1b2_c3d4;
        assert!(le || be, "pcap magic {:02x?}", &pcap[..4]);
        let u16_at = |o: usize| {
            let b = [pcap[o], pcap[o + 1]];
            if le { u16::from_le_bytes(b) } else { u16::from_be_bytes(b) }
        };
        let u32_at = |o: usize| {
            let b: [u8; 4] = pcap[o..o + 4].try_into().unwrap();
            if le { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) }
        };
        assert_eq!((u16_at(4), u32_at(20)), (2, 1), "version 2, LINKTYPE_ETHERNET");
        assert!(!pcap.windows(12).any(|w| w == b"tlsm-rs-ping"), "plaintext in the capture");

        let keylog = p.keylog();
        assert!(keylog.ends_with('\n'));
        let labels: Vec<&str> = keylog
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                assert_eq!(f.len(), 3, "{l}");
                assert_eq!(f[1].len(), 64, "client random: {l}");
                assert!(f[1].bytes().chain(f[2].bytes()).all(|b| b.is_ascii_hexdigit()), "{l}");
                f[0]
            })
            .collect();
        let want: &[&str] = match v {
            Version::Tls13 => &[
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0",
                "SERVER_TRAFFIC_SECRET_0",
            ],
            Version::Tls12 => &["CLIENT_RANDOM"],
        };
        for w in want {
            assert!(labels.contains(w), "{v:?}: key log lacks {w}:\n{keylog}");
        }
    }
}

#[test]
fn sessions_resume_across_pairs_sharing_configs() {
    for v in VERSIONS {
        let (client, server) = test_configs(Some(v)).unwrap();
        let mut first = Pair::new(&client, &server, "localhost").unwrap();
        first.handshake();
        let blob = first.session().unwrap();
        let mut second = Pair::new(&client, &server, "localhost").unwrap();
        second.set_session(&blob).unwrap();
        second.handshake();
        assert!(!first.report(Side::Client).resumed);
        assert!(second.report(Side::Client).resumed && second.report(Side::Server).resumed, "{v:?}");
    }
}

#[test]
fn pairs_on_many_threads_share_configs() {
    let (client, server) = test_configs(None).unwrap();
    std::thread::scope(|s| {
        for i in 0..8u8 {
            let (client, server) = (&client, &server);
            s.spawn(move || {
                // A plain connection racing the kit's first use of the configs.
                let _conn = tlsm::Connection::client(client, "localhost").unwrap();
                let mut p = Pair::new(client, server, "localhost").unwrap();
                p.handshake();
                p.write(Side::Client, &[i]).unwrap();
                assert_eq!(p.read(Side::Server), [i]);
            });
        }
    });
}

#[test]
fn a_pair_moves_to_another_thread() {
    let mut p = pair(Version::Tls13);
    p.handshake();
    let got = std::thread::spawn(move || {
        p.write(Side::Server, b"moved").unwrap();
        p.read(Side::Client)
    })
    .join()
    .unwrap();
    assert_eq!(got, b"moved");
}
