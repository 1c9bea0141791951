//! `sscard serve` with TLS through pcscd with the emulated card (issue 13, optional TLS): an
//! independent client (`curl --cacert` with the generated certificate, and `openssl x509` for its
//! fingerprint and names) reads the card's basic info over https; the WebSocket dialect answers
//! `iReadCardBas` over wss (rustls client trusting only that certificate); plain http to the TLS
//! port gets no answer and sends nothing to the card; the certificate is reused across restarts
//! (same fingerprint); a corrupt certificate or key file is an error naming it, nothing
//! overwritten. Run by `scripts/e2e-pcsc.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use sscard_e2e::{e2e, CardFiles, Live};
use sscard_serve::tls::TlsConfig;
use sscard_serve::{serve, Config, Token};
use support::{apdu_count, ws_call, Service, HIS};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const NAME: &str = "王小明";
const SSN: &str = "110101199003071233";

fn tls_in(dir: &Path) -> TlsConfig {
    TlsConfig {
        enabled: true,
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sscard-serve-tls-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `curl` with `args`: (exit status success, stdout).
fn curl(args: &[&str]) -> (bool, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl (Debian package curl) is needed");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `openssl x509 -fingerprint -sha256` of the PEM file: `AA:BB:…`.
fn openssl_fingerprint(cert: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(cert)
        .output()
        .expect("openssl");
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.trim().rsplit('=').next().unwrap().to_string()
}

/// A wss connection to the dialect trusting only `cert`.
async fn wss(
    port: u16,
    cert: &Path,
) -> tokio_tungstenite::WebSocketStream<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(cert).unwrap();
    for c in rustls_pemfile::certs(&mut pem.as_slice()) {
        roots.add(c.unwrap()).unwrap();
    }
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let tls = connector.connect(name, tcp).await.unwrap();
    let mut req = format!("wss://127.0.0.1:{port}/ws")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert("origin", HIS.parse().unwrap());
    let (s, _) = tokio_tungstenite::client_async(req, tls).await.unwrap();
    s
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn https_and_wss_with_the_generated_certificate() {
    let _g = e2e("https_and_wss_with_the_generated_certificate");
    support::block_on(async {
        let files = CardFiles::personalised("serve-tls");
        let live = Live::card(&files);
        let dir = tmp("live");
        let tls = tls_in(&dir);
        let t = tls.clone();
        let svc = Service::start(None, move |c| c.tls = t).await;
        let id = svc.running().tls.clone().expect("TLS identity");
        assert!(id.generated);
        assert_eq!(id.cert_path, tls.cert);
        // The fingerprint printed is the one openssl computes; the names a page can use.
        assert_eq!(openssl_fingerprint(&tls.cert), id.fingerprint);
        let names = Command::new("openssl")
            .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
            .arg(&tls.cert)
            .output()
            .unwrap();
        let names = String::from_utf8_lossy(&names.stdout);
        for n in [
            "DNS:localhost",
            "IP Address:127.0.0.1",
            "IP Address:0:0:0:0:0:0:0:1",
        ] {
            assert!(names.contains(n), "{names}");
        }

        // curl over https, trusting the generated certificate only.
        let cacert = tls.cert.display().to_string();
        let auth = format!("Authorization: Bearer {}", svc.token);
        let url = format!("https://127.0.0.1:{}/v1/readers/0/card", svc.port);
        let (ok, body) = curl(&["--cacert", &cacert, "-H", &auth, &url]);
        assert!(ok, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["info"]["holder"]["name"], NAME, "{v}");
        assert_eq!(v["info"]["holder"]["ssn"], SSN, "{v}");
        // By the name localhost too (same certificate).
        let url_l = format!("https://localhost:{}/v1/readers/0/card", svc.port);
        let (ok, body) = curl(&[
            "--resolve",
            &format!("localhost:{}:127.0.0.1", svc.port),
            "--cacert",
            &cacert,
            "-H",
            &auth,
            &url_l,
        ]);
        assert!(ok, "{body}");
        // Security unchanged under TLS: no token → 401, a disallowed origin → 403.
        let (_, code) = curl(&[
            "--cacert",
            &cacert,
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &url,
        ]);
        assert_eq!(code, "401");
        let (_, code) = curl(&[
            "--cacert",
            &cacert,
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            &auth,
            "-H",
            "Origin: https://evil.example",
            &url,
        ]);
        assert_eq!(code, "403");
        // Without the certificate installed, curl refuses the server (it is really checked).
        let (ok, _) = curl(&["-H", &auth, &url]);
        assert!(!ok);

        // Plain http to the TLS port: no HTTP answer, nothing sent to the card.
        let before = apdu_count(&live);
        let plain = format!("http://127.0.0.1:{}/v1/readers/0/card", svc.port);
        let (ok, body) = curl(&["-H", &auth, &plain]);
        assert!(!ok, "plain http answered: {body}");
        assert!(!body.contains(NAME));
        assert_eq!(apdu_count(&live), before);

        // The national dialect over wss.
        let mut s = wss(svc.port, &tls.cert).await;
        let a = ws_call(&mut s, r#"{"function":"iReadCardBas","iType":3}"#).await;
        assert_eq!(a["functionName"], "iReadCardBas");
        assert_eq!(a["success"], "1", "{a}");
        let out = a["pOutInfo"].as_str().unwrap();
        assert_eq!(out.split('|').nth(1), Some(SSN), "{a}");
        drop(s);
        svc.stop().await;

        // A restart reuses the certificate: same fingerprint, the same --cacert works.
        let t = tls.clone();
        let svc = Service::start(None, move |c| c.tls = t).await;
        let again = svc.running().tls.clone().unwrap();
        assert!(!again.generated);
        assert_eq!(again.fingerprint, id.fingerprint);
        let url = format!("https://127.0.0.1:{}/v1/readers/0/card", svc.port);
        let auth = format!("Authorization: Bearer {}", svc.token);
        let (ok, body) = curl(&["--cacert", &cacert, "-H", &auth, &url]);
        assert!(ok && body.contains(NAME), "{body}");
        svc.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}

#[test]
fn a_corrupt_certificate_or_key_is_named_and_kept() {
    support::block_on(async {
        let dir = tmp("corrupt");
        let tls = tls_in(&dir);
        sscard_serve::tls::load_or_create(&tls).unwrap();
        let config = |tls: &TlsConfig| Config {
            listen: vec!["127.0.0.1:0".into()],
            token_file: dir.join("token"),
            tls: tls.clone(),
            ..Config::default()
        };
        for (file, junk) in [
            (&tls.cert, &b"not a certificate"[..]),
            (
                &tls.key,
                &b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"[..],
            ),
        ] {
            let good = std::fs::read(file).unwrap();
            std::fs::write(file, junk).unwrap();
            let token = Token::load_or_create(&dir.join("token")).unwrap();
            let e = match serve(config(&tls), token).await {
                Ok(_) => panic!("served with a corrupt {}", file.display()),
                Err(e) => e.to_string(),
            };
            assert!(e.contains(&file.display().to_string()), "{e}");
            assert_eq!(std::fs::read(file).unwrap(), junk, "overwritten");
            std::fs::write(file, good).unwrap();
        }
        // A key that is not this certificate's: named, nothing replaced.
        let other = tmp("other");
        let o = tls_in(&other);
        sscard_serve::tls::load_or_create(&o).unwrap();
        std::fs::copy(&o.key, &tls.key).unwrap();
        let token = Token::load_or_create(&dir.join("token")).unwrap();
        let e = match serve(config(&tls), token).await {
            Ok(_) => panic!("served with a mismatched key"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains(&tls.key.display().to_string()), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&other);
    });
}
