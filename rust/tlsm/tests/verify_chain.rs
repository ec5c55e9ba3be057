//! tlsm::verify_chain against the committed test PKI (test-pki/), and the same verdict
//! as a handshake.
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tlsm::testing::{Pair, Side};
use tlsm::{sys, verify_chain, verify_chain_pem, ClientConfig, Fault, Purpose, ServerConfig, VerifyOptions};

const NOW: i64 = 1_811_851_200; // 2027-06-01, inside the PKI's validity

fn pki(file: &str) -> Vec<u8> {
    std::fs::read(format!("{}/test-pki/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn der(file: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(&pki(file)).unwrap().to_vec()
}

fn trust() -> ClientConfig {
    ClientConfig::builder().trust_pem(&pki("ca.crt")).build().unwrap()
}

fn opts(name: Option<&str>, purpose: Purpose) -> VerifyOptions<'_> {
    VerifyOptions { peer_name: name, purpose, time: Some(NOW), max_depth: 0 }
}

#[test]
fn a_good_chain_verifies_with_its_path() {
    let (leaf, inter) = (der("server-p256.crt"), der("intermediate.crt"));
    for name in [Some("localhost"), Some("server.tlsm.test"), Some("127.0.0.1"), Some("::1"), None] {
        let v = verify_chain(&trust(), &[&leaf, &inter], &opts(name, Purpose::Server)).unwrap();
        assert_eq!(v.time, NOW);
        let idx: Vec<_> = v.path.iter().map(|p| (p.input, p.anchor)).collect();
        assert_eq!(idx, [(Some(0), None), (Some(1), None), (None, Some(0))], "{name:?}");
        assert_eq!(v.path[0].der, leaf);
        assert_eq!(v.path[1].der, inter);
        assert_eq!(v.path[2].der, der("ca.crt"));
    }
    // Intermediates in any order, extras allowed.
    let other = der("server-rsa.crt");
    let v = verify_chain(&trust(), &[&leaf, &other, &inter], &opts(Some("localhost"), Purpose::Server)).unwrap();
    assert_eq!(v.path[1].input, Some(2));
    // A client certificate for the client purpose, trust from a server config.
    let server_side = ServerConfig::builder()
        .identity_pem(&pki("server-p256.chain.pem"), &pki("server-p256.key"))
        .trust_pem(&pki("ca.crt"))
        .build()
        .unwrap();
    verify_chain(&server_side, &[&der("client.crt"), &inter], &opts(None, Purpose::Client)).unwrap();
}

#[test]
fn failures_name_the_reason_and_the_certificate() {
    let (leaf, inter) = (der("server-p256.crt"), der("intermediate.crt"));
    let t = trust();
    let fail = |certs: &[&[u8]], o: &VerifyOptions<'_>| verify_chain(&t, certs, o).unwrap_err();

    let e = fail(&[&leaf, &inter], &opts(Some("example.com"), Purpose::Server));
    assert_eq!((e.code(), e.fault), (sys::TLSM_ERR_CERT_NAME_MISMATCH, Fault::Input(0)));
    let e = fail(&[&leaf], &opts(Some("localhost"), Purpose::Server));
    assert_eq!((e.code(), e.fault), (sys::TLSM_ERR_CERT_UNKNOWN_ISSUER, Fault::Input(0)));
    let e = fail(&[&leaf, &inter], &opts(Some("localhost"), Purpose::Client));
    assert_eq!(e.code(), sys::TLSM_ERR_CERT_USAGE, "a serverAuth-only leaf as a client certificate");
    let e = fail(&[&der("client.crt"), &inter], &opts(None, Purpose::Server));
    assert_eq!(e.code(), sys::TLSM_ERR_CERT_USAGE);

    let early = VerifyOptions { time: Some(1_700_000_000), ..opts(None, Purpose::Server) };
    assert_eq!(fail(&[&leaf, &inter], &early).code(), sys::TLSM_ERR_CERT_NOT_YET_VALID);
    let late = VerifyOptions { time: Some(5_000_000_000), ..opts(None, Purpose::Server) };
    assert_eq!(fail(&[&leaf, &inter], &late).code(), sys::TLSM_ERR_CERT_EXPIRED);
    let shallow = VerifyOptions { max_depth: 2, ..opts(None, Purpose::Server) };
    assert_eq!(fail(&[&leaf, &inter], &shallow).code(), sys::TLSM_ERR_CERT_PATH_LEN);

    let mut bad = inter.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1; // the intermediate's signature
    let e = fail(&[&leaf, &bad], &opts(None, Purpose::Server));
    assert_eq!((e.code(), e.fault), (sys::TLSM_ERR_CERT_SIGNATURE, Fault::Input(1)));
    let e = fail(&[&leaf, b"not a certificate"], &opts(None, Purpose::Server));
    assert_eq!((e.code(), e.fault), (sys::TLSM_ERR_CERT_PARSE, Fault::Input(1)));

    assert_eq!(fail(&[], &opts(None, Purpose::Server)).code(), sys::TLSM_ERR_NO_CERT);
    let e = fail(&[&leaf, &inter], &opts(Some(""), Purpose::Server));
    assert_eq!((e.code(), e.fault), (sys::TLSM_ERR_ARG, Fault::None));
    let e = fail(&[&leaf, &inter], &opts(Some("nul\0"), Purpose::Server));
    assert_eq!(e.code(), sys::TLSM_ERR_ARG);
    let empty = ClientConfig::builder().build().unwrap();
    let e = verify_chain(&empty, &[&leaf, &inter], &opts(None, Purpose::Server)).unwrap_err();
    assert_eq!((e.code(), e.fault), (sys::TLSM_ERR_CERT_NO_TRUST, Fault::None));
    assert!(e.to_string().contains("trust"), "{e}");
}

#[test]
fn pem_input_counts_certificate_blocks() {
    let t = trust();
    let chain = pki("server-p256.chain.pem");
    let v = verify_chain_pem(&t, &chain, &opts(Some("localhost"), Purpose::Server)).unwrap();
    assert_eq!(v.path.len(), 3);
    assert_eq!(v.path[0].der, der("server-p256.crt"));
    assert_eq!(v.path[1].der, der("intermediate.crt"));
    let e = verify_chain_pem(&t, &chain, &opts(Some("other.test"), Purpose::Server)).unwrap_err();
    assert_eq!((e.code(), e.fault), (sys::TLSM_ERR_CERT_NAME_MISMATCH, Fault::Input(0)));
    let e = verify_chain_pem(&t, b"no pem here", &opts(None, Purpose::Server)).unwrap_err();
    assert_eq!(e.code(), sys::TLSM_ERR_NO_CERT);
}

#[test]
fn time_now_reads_the_config_clock() {
    let at = |ms: u64| ClientConfig::builder().trust_pem(&pki("ca.crt")).fixed_clock(ms).build().unwrap();
    let (leaf, inter) = (der("server-p256.crt"), der("intermediate.crt"));
    let now = VerifyOptions { time: None, ..opts(None, Purpose::Server) };
    let v = verify_chain(&at(NOW as u64 * 1000), &[&leaf, &inter], &now).unwrap();
    assert_eq!(v.time, NOW);
    let e = verify_chain(&at(1_700_000_000_000), &[&leaf, &inter], &now).unwrap_err();
    assert_eq!(e.code(), sys::TLSM_ERR_CERT_NOT_YET_VALID);
}

/// The handshake and verify_chain agree on the same chain, name, purpose and time.
#[test]
fn same_verdict_as_a_handshake() {
    let (leaf, inter) = (der("server-p256.crt"), der("intermediate.crt"));
    for (name, time_ms) in [("localhost", NOW as u64 * 1000), ("wrong.test", NOW as u64 * 1000), ("localhost", 1_700_000_000_000)] {
        let client = ClientConfig::builder().trust_pem(&pki("ca.crt")).fixed_clock(time_ms).build().unwrap();
        let server = ServerConfig::builder()
            .identity_pem(&pki("server-p256.chain.pem"), &pki("server-p256.key"))
            .fixed_clock(time_ms)
            .build()
            .unwrap();
        let mut pair = Pair::new(&client, &server, name).unwrap();
        let handshake = pair.run();
        let verdict = verify_chain(&client, &[&leaf, &inter], &VerifyOptions {
            peer_name: Some(name),
            time: Some((time_ms / 1000) as i64),
            ..Default::default()
        });
        match verdict {
            Ok(_) => assert!(handshake.is_ok() && pair.report(Side::Client).handshake_done, "{name} {time_ms}"),
            Err(e) => {
                let hs = pair.report(Side::Client).error.expect("the handshake failed too");
                assert_eq!(hs.certificate_error().map(|c| c.code()), Some(e.code()), "{name} {time_ms}: {hs}");
            }
        }
    }
}
