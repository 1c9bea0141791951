//! `sscard serve`'s refusals (issue 13, acceptance 2), through pcscd with the emulated card in
//! the reader: a disallowed Origin, a missing or wrong token, a non-loopback bind, an oversized
//! body, malformed JSON, an unknown function, path traversal in item paths and file addresses,
//! a foreign Host (DNS rebinding), the rate limit — each refused with a clear error, and **no
//! APDU sent to the card** (the emulator's trace is counted before and after). Run by
//! `scripts/e2e-pcsc.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::StatusCode;
use sscard_e2e::{e2e, CardFiles, Live};
use sscard_serve::{serve, Config, ServeError, Token};
use support::{apdu_count, http, ws, ws_call, Service, EVIL, HIS};

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn refusals_send_nothing_to_the_card() {
    let _g = e2e("refusals_send_nothing_to_the_card");
    let files = CardFiles::personalised("serve-refusals");
    let live = Live::card(&files);
    support::block_on(async {
        let svc = Service::start(Some(files.keys.clone()), |c| c.max_body_bytes = 1024).await;
        let auth = svc.bearer();
        // Sanity: the same request, allowed, does reach the card.
        let n0 = apdu_count(&live);
        svc.call("GET", "/v1/readers/0/card", None).await.ok();
        // SELECT, EF05, the EF0D probe, EF06.
        assert_eq!(apdu_count(&live), n0 + 4);

        let before = apdu_count(&live);
        let card = "/v1/readers/0/card";

        // A disallowed Origin (even with the right token), `null`, a look-alike.
        for origin in [
            EVIL,
            "null",
            "https://his.example.cn.evil.example",
            "http://his.example.cn",
        ] {
            let r = http(
                svc.port,
                "GET",
                card,
                &[("origin", origin), ("authorization", &auth)],
                None,
            )
            .await;
            assert_eq!(
                (r.status, r.kind().as_str()),
                (StatusCode::FORBIDDEN, "origin"),
                "{origin}: {r:?}"
            );
            assert!(r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("origin not allowed"));
            assert!(r.headers.get("access-control-allow-origin").is_none());
        }
        // Its preflight gets no CORS / Private-Network-Access answer.
        let pre = http(
            svc.port,
            "OPTIONS",
            card,
            &[
                ("origin", EVIL),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ],
            None,
        )
        .await;
        assert_eq!(pre.status, StatusCode::FORBIDDEN);
        assert!(pre
            .headers
            .get("access-control-allow-private-network")
            .is_none());
        // While an allowed origin's preflight is answered (and sends nothing to the card).
        let pre = http(
            svc.port,
            "OPTIONS",
            card,
            &[
                ("origin", HIS),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ],
            None,
        )
        .await;
        assert_eq!(pre.status, StatusCode::NO_CONTENT);
        assert_eq!(pre.headers["access-control-allow-private-network"], "true");
        assert_eq!(pre.headers["access-control-allow-origin"], HIS);

        // The dialect from a disallowed origin: the handshake is refused.
        assert_eq!(ws(svc.port, "/", Some(EVIL)).await.err(), Some(403));
        assert_eq!(ws(svc.port, "/ws", Some("null")).await.err(), Some(403));
        // Without an Origin (not a browser) the token is needed.
        assert_eq!(ws(svc.port, "/ws", None).await.err(), Some(401));
        assert_eq!(ws(svc.port, "/ws?token=00", None).await.err(), Some(401));

        // Missing / wrong token, a token in the URL (not accepted on HTTP), a non-bearer scheme.
        for h in [
            vec![],
            vec![("authorization", "Bearer 0123")],
            vec![("authorization", "Basic dXNlcjpwYXNz")],
            vec![("origin", HIS)],
        ] {
            let r = http(svc.port, "GET", card, &h, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{h:?}: {r:?}");
            assert!(r.kind().ends_with("token"), "{r:?}");
        }
        let r = http(
            svc.port,
            "GET",
            &format!("{card}?token={}", svc.token),
            &[],
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        // DNS rebinding: a foreign Host.
        let r = http(
            svc.port,
            "GET",
            card,
            &[("host", "evil.example:12342"), ("authorization", &auth)],
            None,
        )
        .await;
        assert_eq!(
            (r.status, r.kind().as_str()),
            (StatusCode::FORBIDDEN, "host")
        );

        // Oversized bodies, declared or chunked.
        let big = format!(r#"{{"pin":"{}"}}"#, "1".repeat(4096));
        let r = svc
            .call("POST", "/v1/readers/0/pin/verify", Some(&big))
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{r:?}");

        // Malformed JSON, unknown fields, a non-digit PIN, a PIN in the URL.
        for body in [
            "{",
            "not json",
            r#"{"pin":123456}"#,
            r#"{"pin":"123456","x":1}"#,
            r#"{"pin":"12ab56"}"#,
            r#"{"pin":""}"#,
        ] {
            let r = svc
                .call("POST", "/v1/readers/0/pin/verify", Some(body))
                .await;
            assert_eq!(
                (r.status, r.kind().as_str()),
                (StatusCode::BAD_REQUEST, "bad-request"),
                "{body}: {r:?}"
            );
            assert_eq!(r.json()["error"]["code"], -14);
        }
        let r = svc
            .call("POST", "/v1/readers/0/pin/verify?pin=123456", Some("{}"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");
        let r = svc
            .call(
                "POST",
                "/v1/readers/0/application/unblock",
                Some(r#"{"card_id":"zz"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:?}");

        // Path traversal and bad paths in item paths.
        for q in [
            "path=../../etc/passwd",
            "path=..%2F..%2Fetc%2Fpasswd",
            "path=%2e%2e/SSSE/EF05",
            "path=SSSE/EF06/../../DF04/EF05/81",
            "path=SSSE/EF06/09/../../../x",
            "path=/etc/passwd",
            "path=SSSE/EF99",
            "path=SSSE/EF06/77",
            "path=",
            "file=SSSE/EF05",
        ] {
            let r = svc
                .call("GET", &format!("/v1/readers/0/items?{q}"), None)
                .await;
            assert_eq!(
                (r.status, r.kind().as_str()),
                (StatusCode::BAD_REQUEST, "bad-request"),
                "{q}: {r:?}"
            );
            assert!(
                r.json()["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("path")
                    || q.starts_with("file"),
                "{r:?}"
            );
        }
        // A traversal in the reader segment names no reader: refused before any card.
        let r = svc
            .call("GET", "/v1/readers/..%2F..%2Fetc/card", None)
            .await;
        assert_ne!(r.status, StatusCode::OK, "{r:?}");
        assert_eq!(r.json()["error"]["code"], -11, "{r:?}");

        // The dialect: malformed JSON, no function, an unknown function, bad parameters, a file
        // address with traversal or unknown tags — success is the national code, pOutInfo says why.
        let mut s = ws(svc.port, "/", Some(HIS)).await.unwrap();
        for (req, name) in [
            ("not json", ""),
            (r#"{"iType":3}"#, ""),
            (r#"{"function":"iFormatCard","iType":3}"#, "iFormatCard"),
            (r#"{"function":"iReadCardBas","iType":9}"#, "iReadCardBas"),
            (
                r#"{"function":"iReadCard","iType":3,"iAuthType":1,"pFileAddr":"../EF05|07|$"}"#,
                "iReadCard",
            ),
            (
                r#"{"function":"iReadCard","iType":3,"iAuthType":1,"pFileAddr":"SSSEEF05|..|$"}"#,
                "iReadCard",
            ),
            (
                r#"{"function":"iReadCard","iType":3,"iAuthType":1,"pFileAddr":"SSSEEF99|07|$"}"#,
                "iReadCard",
            ),
            (
                r#"{"function":"iReadCard","iType":3,"iAuthType":7,"pFileAddr":"SSSEEF05|07|$"}"#,
                "iReadCard",
            ),
            (
                r#"{"function":"iReadCard","iType":3,"iAuthType":1}"#,
                "iReadCard",
            ),
        ] {
            let a = ws_call(&mut s, req).await;
            assert_eq!(a["functionName"], name, "{req}: {a}");
            assert_eq!(a["success"], "-14", "{req}: {a}");
            assert!(!a["pOutInfo"].as_str().unwrap().is_empty(), "{req}: {a}");
        }
        let a = ws_call(&mut s, r#"{"function":"iFormatCard"}"#).await;
        assert!(
            a["pOutInfo"]
                .as_str()
                .unwrap()
                .contains("unknown function iFormatCard"),
            "{a}"
        );
        // A message over the size limit closes the socket.
        use futures_util::SinkExt;
        let _ = s
            .send(tokio_tungstenite::tungstenite::Message::Text(
                "x".repeat(4096).into(),
            ))
            .await;

        assert_eq!(
            apdu_count(&live),
            before,
            "a refused request reached the card"
        );
        svc.stop().await;

        // The WebSocket token option: an allowed Origin alone is not enough.
        let strict = Service::start(None, |c| c.ws_requires_token = true).await;
        assert_eq!(ws(strict.port, "/", Some(HIS)).await.err(), Some(401));
        let mut ok = ws(strict.port, &format!("/?token={}", strict.token), Some(HIS))
            .await
            .unwrap();
        let a = ws_call(&mut ok, r#"{"function":"iReadCardBas","iType":3}"#).await;
        assert_eq!(a["success"], "1", "{a}");
        strict.stop().await;

        // The rate limit: 429 once the bucket is empty, before the card.
        let slow = Service::start(None, |c| c.rate_per_minute = 3).await;
        for _ in 0..3 {
            slow.call("GET", "/v1/readers", None).await.ok();
        }
        let before = apdu_count(&live);
        let r = slow.call("GET", "/v1/readers/0/card", None).await;
        assert_eq!(
            (r.status, r.kind().as_str()),
            (StatusCode::TOO_MANY_REQUESTS, "rate")
        );
        assert_eq!(apdu_count(&live), before);
        slow.stop().await;

        // Non-loopback binds are refused before anything listens.
        for addr in [
            "0.0.0.0:0",
            "[::]:0",
            "192.168.1.10:12342",
            "10.0.0.1:0",
            "localhost:12342",
        ] {
            let c = Config {
                listen: vec!["127.0.0.1:0".into(), addr.into()],
                token_file: std::env::temp_dir().join("sscard-serve-never-written"),
                ..Config::default()
            };
            match serve(c, Token::generate().unwrap()).await {
                Err(e @ ServeError::Bind { .. }) => {
                    assert!(e.to_string().contains(addr), "{e}");
                }
                Err(e) => panic!("{addr}: {e}"),
                Ok(_) => panic!("{addr}: listening"),
            }
        }
    });
    live.stop();
}

/// A verified PIN does not outlive the request that verified it: the service disconnects such an
/// operation with a card reset, so a later request (another allowed page) cannot read a
/// PIN-protected item on the strength of someone else's PIN.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn a_verified_pin_does_not_outlive_its_request() {
    let _g = e2e("a_verified_pin_does_not_outlive_its_request");
    let files = CardFiles::personalised("serve-pin-state");
    let live = Live::card(&files);
    support::block_on(async {
        // No security module: a PIN-or-key item can only be read with a verified PIN.
        let svc = Service::start(None, |_| {}).await;
        let protected = "/v1/readers/0/items?path=DF04/EF05/81";
        let r = svc.call("GET", protected, None).await;
        assert_ne!(r.status, StatusCode::OK, "readable without the PIN: {r:?}");
        assert!(r.text.contains("6982"), "{r:?}");
        let v = svc
            .call(
                "POST",
                "/v1/readers/0/pin/verify",
                Some("{\"pin\":\"123456\"}"),
            )
            .await
            .ok();
        assert_eq!(v["tries_left"], 3);
        let r = svc.call("GET", protected, None).await;
        assert_ne!(
            r.status,
            StatusCode::OK,
            "the PIN verified by the previous request opened this one: {r:?}"
        );
        assert!(r.text.contains("6982"), "{r:?}");
        // The reset leaves a working card: the holder is read again.
        let c = svc.call("GET", "/v1/readers/0/card", None).await.ok();
        assert_eq!(c["info"]["holder"]["name"], "王小明", "{c}");
        let _ = apdu_count(&live);
        svc.stop().await;
    });
}
