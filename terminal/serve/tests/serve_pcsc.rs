//! `sscard serve` through pcscd with the emulated card (issue 13, acceptance 1): every HTTP
//! endpoint, the national WebSocket dialect (`iReadCardBas`, `iReadCard`), and insert / remove
//! events when the virtual card is started and stopped. Run by `scripts/e2e-pcsc.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use axum::http::StatusCode;
use sscard_e2e::{
    await_empty, connect, e2e, CardFiles, Live, PIN, READER0, READER1, TERMINAL_NUMBER, WAIT,
};
use sscard_terminal::national::{self, TerminalIds};
use sscard_terminal::Session;
use support::{apdu_count, ws, ws_call, Events, Service, HIS};

/// The demo holder as every answer must show it.
const NAME: &str = "王小明";
const SSN: &str = "110101199003071233";
const CARD_NO: &str = "A00000011";

/// What the library itself reads through PC/SC: the reference for the service's answers.
fn reference_national() -> String {
    let mut s = Session::open(connect(READER0)).unwrap();
    let info = s.read_basic_info().unwrap();
    s.into_transport().close().unwrap();
    national::format::read_card_bas(&info, &TerminalIds::default())
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn every_http_endpoint_through_pcscd() {
    let _g = e2e("every_http_endpoint_through_pcscd");
    support::block_on(async {
        let files = CardFiles::personalised("serve-api");
        let live = Live::card(&files);
        let svc = Service::start(Some(files.keys.clone()), |_| {}).await;

        // The page and its script (no token needed: same origin).
        let page = support::http(svc.port, "GET", "/", &[], None).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("社保卡服务窗口"), "{}", page.text);
        assert!(page.text.contains(&svc.token));
        let js = support::http(svc.port, "GET", "/page.js", &[], None).await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.text.contains("/v1/readers"));

        // Readers.
        let r = svc.call("GET", "/v1/readers", None).await.ok();
        let readers = r["readers"].as_array().unwrap();
        let card = readers.iter().find(|x| x["name"] == READER0).unwrap();
        assert_eq!(card["card"], "present", "{r}");
        assert_eq!(card["atr"], hex::encode_upper(&live.atr));

        // Basic info: the typed model and the national string (the library's, byte for byte).
        let want_national = reference_national();
        assert!(
            want_national.starts_with(&format!("110100|{SSN}|{CARD_NO}|")),
            "{want_national}"
        );
        let before = apdu_count(&live);
        let c = svc.call("GET", "/v1/readers/0/card", None).await.ok();
        let card_id = c["info"]["issuer"]["card_id"]["raw"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(c["info"]["holder"]["name"], NAME);
        assert_eq!(c["info"]["holder"]["ssn"], SSN);
        assert_eq!(c["info"]["issuer"]["card_number"], CARD_NO);
        assert_eq!(c["national"], want_national.as_str());
        // The basic read in 4 APDUs (SELECT, EF05, the EF0D probe, EF06), also through the service.
        assert_eq!(apdu_count(&live) - before, 4);
        // By reader name (URL-encoded) too.
        let by_name = svc
            .call("GET", "/v1/readers/Virtual%20PCD%2000%2000/card", None)
            .await
            .ok();
        assert_eq!(by_name["national"], want_national.as_str());

        // Items by path, several at once; a whole EF.
        let it = svc
            .call(
                "GET",
                "/v1/readers/0/items?path=SSSE/EF06/09&path=SSSE%2FEF05%2F07&path=SSSE/EF06",
                None,
            )
            .await
            .ok();
        let items = it["items"].as_array().unwrap();
        assert_eq!(items[0]["value"], NAME, "{it}");
        assert_eq!(items[1]["value"], CARD_NO, "{it}");
        assert_eq!(items[2]["path"], "SSSE/EF06", "{it}");

        // PIN: tries, a wrong PIN (tries left in the error), the right one (tries restored).
        let t = svc.call("GET", "/v1/readers/0/pin", None).await.ok();
        let full = t["tries_left"].as_u64().unwrap();
        assert!(full >= 2, "{t}");
        let wrong = svc
            .call(
                "POST",
                "/v1/readers/0/pin/verify",
                Some(r#"{"pin":"999999"}"#),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::CONFLICT, "{wrong:?}");
        assert_eq!(wrong.json()["error"]["tries_left"].as_u64(), Some(full - 1));
        assert_eq!(wrong.json()["error"]["code"], -51);
        let right = svc
            .call(
                "POST",
                "/v1/readers/0/pin/verify",
                Some(&format!(r#"{{"pin":"{PIN}"}}"#)),
            )
            .await
            .ok();
        assert_eq!(right["tries_left"].as_u64(), Some(full));
        // A PIN-protected item after the PIN.
        let med = svc
            .call("GET", "/v1/readers/0/items?path=DF04/EF05/81", None)
            .await;
        assert_eq!(med.status, StatusCode::OK, "{med:?}");

        // Change and change back.
        let ch = svc
            .call(
                "POST",
                "/v1/readers/0/pin/change",
                Some(&format!(r#"{{"old":"{PIN}","new":"654321"}}"#)),
            )
            .await
            .ok();
        assert_eq!(ch["tries_left"].as_u64(), Some(full));
        svc.call(
            "POST",
            "/v1/readers/0/pin/change",
            Some(&format!(r#"{{"old":"654321","new":"{PIN}"}}"#)),
        )
        .await
        .ok();

        // Unblock and reload (security module: the issuer keys).
        svc.call(
            "POST",
            "/v1/readers/0/pin/verify",
            Some(r#"{"pin":"000001"}"#),
        )
        .await;
        let ub = svc
            .call("POST", "/v1/readers/0/pin/unblock", Some("{}"))
            .await
            .ok();
        assert_eq!(ub["tries_left"].as_u64(), Some(full), "{ub}");
        let rl = svc
            .call(
                "POST",
                "/v1/readers/0/pin/reload",
                Some(&format!(r#"{{"new":"{PIN}"}}"#)),
            )
            .await
            .ok();
        assert_eq!(rl["tries_left"].as_u64(), Some(full), "{rl}");
        svc.call(
            "POST",
            "/v1/readers/0/pin/verify",
            Some(&format!(r#"{{"pin":"{PIN}"}}"#)),
        )
        .await
        .ok();

        // Internal authentication: genuine.
        let ia = svc
            .call("POST", "/v1/readers/0/auth/internal", Some("{}"))
            .await
            .ok();
        assert_eq!(ia["genuine"], true, "{ia}");

        // Application dormant, then active again.
        let b = svc
            .call(
                "POST",
                "/v1/readers/0/application/block",
                Some(r#"{"permanent":false}"#),
            )
            .await
            .ok();
        assert_eq!(b["blocked"], true);
        let dormant = svc.call("GET", "/v1/readers/0/card", None).await;
        assert_eq!(dormant.status, StatusCode::CONFLICT, "{dormant:?}");
        assert!(dormant.text.contains("6985"), "{dormant:?}");
        let u = svc
            .call(
                "POST",
                "/v1/readers/0/application/unblock",
                Some(&format!(r#"{{"card_id":"{card_id}"}}"#)),
            )
            .await
            .ok();
        assert_eq!(u["blocked"], false);
        let again = svc.call("GET", "/v1/readers/0/card", None).await.ok();
        assert_eq!(again["info"]["holder"]["name"], NAME);

        // No card's reader: a clear error, the national code.
        let none = svc.call("GET", "/v1/readers/7/card", None).await;
        assert_eq!(none.kind(), "card", "{none:?}");

        // The PIN never reached the trace unmasked.
        sscard_e2e::pin_command_lines(&live.trace_lines());
        svc.stop().await;
        live.stop();
    });
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn national_dialect_over_websocket() {
    let _g = e2e("national_dialect_over_websocket");
    support::block_on(async {
        let files = CardFiles::personalised("serve-ws");
        let live = Live::card(&files);
        let svc = Service::start(None, |_| {}).await;
        let want = reference_national();

        // An existing page: `ws://127.0.0.1:12342` (here the test port), its Origin allowed, no token.
        for path in ["/", "/ws"] {
            let mut s = ws(svc.port, path, Some(HIS)).await.unwrap();
            let a = ws_call(&mut s, r#"{"function":"iReadCardBas","iType":3}"#).await;
            assert_eq!(a["functionName"], "iReadCardBas");
            assert_eq!(a["success"], "1", "{a}");
            assert_eq!(a["pOutInfo"], want.as_str());
            let fields: Vec<&str> = want.split('|').collect();
            assert_eq!(fields.len(), 12, "11 fields, each followed by |: {want}");
            assert_eq!(fields[1], SSN);
            assert_eq!(fields[4], NAME);

            // iReadCard: the file address mirrored with values.
            let before = apdu_count(&live);
            let a = ws_call(
            &mut s,
            r#"{"function":"iReadCard","iType":3,"iAuthType":1,"pCardInfo":"","pFileAddr":"SSSEEF05|07|$SSSEEF06|08|09|$"}"#,
        )
        .await;
            assert_eq!(a["functionName"], "iReadCard");
            assert_eq!(a["success"], "1", "{a}");
            assert_eq!(
                a["pOutInfo"],
                format!("SSSEEF05|{CARD_NO}|$SSSEEF06|{SSN}|{NAME}|$")
            );
            assert!(apdu_count(&live) > before);
            // Several requests on one socket; iType as a string as some pages send it.
            let a = ws_call(&mut s, r#"{"function":"iReadCardBas","iType":"1"}"#).await;
            assert_eq!(a["success"], "1", "{a}");
        }

        // A token-holding client without an Origin (a desktop program): `?token=`.
        let mut s = ws(svc.port, &format!("/ws?token={}", svc.token), None)
            .await
            .unwrap();
        let a = ws_call(&mut s, r#"{"function":"iReadCardBas","iType":3}"#).await;
        assert_eq!(a["pOutInfo"], want.as_str());

        // Card errors in the dialect: success = the national code, pOutInfo = the message.
        let a = ws_call(
            &mut s,
            r#"{"function":"iReadCard","iType":3,"iAuthType":1,"pFileAddr":"DF04EF05|81|$"}"#,
        )
        .await;
        assert_eq!(a["success"], "-27010", "6982 without the PIN: {a}");
        svc.stop().await;
        live.stop();
    });
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn insert_and_remove_events() {
    let _g = e2e("insert_and_remove_events");
    support::block_on(async {
        let files = CardFiles::personalised("serve-events");
        await_empty(&[READER0]);
        let svc = Service::start(None, |_| {}).await;
        let mut ev = Events::open(&svc).await;
        // Start the virtual card: "inserted" with its ATR.
        let live = Live::card(&files);
        let e = ev.next(WAIT).await;
        assert_eq!(e["event"], "inserted", "{e}");
        assert_eq!(e["reader"], READER0);
        assert_eq!(e["atr"], hex::encode_upper(&live.atr));
        // Stop it: "removed".
        live.stop();
        let e = ev.next(WAIT).await;
        assert_eq!(e["event"], "removed", "{e}");
        assert_eq!(e["reader"], READER0);
        // And again.
        let live = Live::card(&files);
        assert_eq!(ev.next(WAIT).await["event"], "inserted");
        live.stop();
        assert_eq!(ev.next(WAIT).await["event"], "removed");
        // Stopping ends the stream (the graceful shutdown does not wait for its client).
        svc.stop().await;
        assert!(ev.ended().await);
    });
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn national_dialect_in_psam_mode() {
    let _g = e2e("national_dialect_in_psam_mode");
    let files = CardFiles::personalised("serve-ws-psam");
    let live = Live::card_and_psam(&files);
    support::block_on(async {
        let svc = Service::start(None, |c| {
            c.psam_reader = Some(READER1.into());
            c.reader = Some(READER0.into());
        })
        .await;
        // iReadCardBas through the national core's §6.4 procedure: internal authentication by
        // the PSAM, its terminal number and serial in the last two fields.
        let mut s = ws(svc.port, "/", Some(HIS)).await.unwrap();
        let a = ws_call(&mut s, r#"{"function":"iReadCardBas","iType":3}"#).await;
        assert_eq!(a["success"], "1", "{a}");
        let out = a["pOutInfo"].as_str().unwrap();
        let f: Vec<&str> = out.split('|').collect();
        assert_eq!(f.len(), 12, "{out}");
        assert_eq!((f[1], f[2], f[4]), (SSN, CARD_NO, NAME), "{out}");
        assert_eq!(f[9], TERMINAL_NUMBER, "{out}");
        assert!(!f[10].is_empty(), "{out}");
        let trace = live.trace_lines().join("\n");
        assert!(trace.contains("INTERNAL AUTHENTICATE"), "{trace}");
        // iReadCard with iAuthType 2 (the PSAM as security module).
        let a = ws_call(
            &mut s,
            r#"{"function":"iReadCard","iType":3,"iAuthType":2,"pCardInfo":"","pFileAddr":"SSSEEF06|08|$"}"#,
        )
        .await;
        assert_eq!(a["pOutInfo"], format!("SSSEEF06|{SSN}|$"), "{a}");
        svc.stop().await;
    });
    live.stop();
}

/// Each request is one PC/SC transaction: another application on the desk hammering the same
/// card with `SELECT MF` (which ends the SSSE's key states) never lands between a request's
/// EXTERNAL AUTHENTICATE and its READ — every keyed read succeeds.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn another_application_cannot_come_between_an_operations_apdus() {
    let _g = e2e("another_application_cannot_come_between_an_operations_apdus");
    let files = CardFiles::personalised("serve-tx");
    let _live = Live::card(&files);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let other = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut t = connect(READER0);
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let r = sscard_terminal::transport::Transport::transmit(
                    &mut t,
                    &[0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00],
                )
                .unwrap();
                assert_eq!(&r[r.len() - 2..], &[0x90, 0x00]);
                n += 1;
            }
            t.close().unwrap();
            n
        })
    };
    support::block_on(async {
        let svc = Service::start(Some(files.keys.clone()), |_| {}).await;
        for i in 0..200 {
            let r = svc
                .call("GET", "/v1/readers/0/items?path=DF01/EF05/21", None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "request {i}: {r:?}");
        }
        svc.stop().await;
    });
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let n = other.join().unwrap();
    assert!(n > 200, "the other application sent only {n} SELECTs");
}
