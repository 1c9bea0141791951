//! The built-in service-window page in headless Chromium (issue 13, acceptance 4), through pcscd
//! with the emulated card: insert the card → the holder is shown; verify the demo PIN → tries
//! shown; a wrong PIN → the tries left shown; a screenshot (outside git, in cargo's target
//! tmp dir); and a page served from another, disallowed origin cannot read the card (and sends
//! nothing to it). Run by `scripts/e2e-pcsc.sh` (needs Debian's `chromium`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use axum::response::Html;
use axum::routing::get;
use sscard_e2e::{await_empty, e2e, CardFiles, Live, PIN, READER0, READER1};
use support::browser::Browser;
use support::{apdu_count, Service};

const T: Duration = Duration::from_secs(30);

/// What a hostile page tries: read the card over HTTP (with and without a guessed token), read
/// the service's page (for its token), and the WebSocket dialect.
const HOSTILE: &str = r#"<!doctype html><meta charset="utf-8"><pre id="out"></pre><script>
const out = (t) => { document.getElementById("out").textContent += t + "\n"; };
const base = "http://127.0.0.1:PORT";
(async () => {
  try { const r = await fetch(base + "/v1/readers/0/card"); out("card read " + r.status + " " + await r.text()); }
  catch (e) { out("card fetch blocked: " + e.name); }
  try { const r = await fetch(base + "/v1/readers/0/card", { headers: { Authorization: "Bearer guess" } }); out("card read 2 " + r.status); }
  catch (e) { out("card fetch with token blocked: " + e.name); }
  try { const r = await fetch(base + "/", { mode: "no-cors" }); out("page " + r.type + " length " + (await r.text()).length); }
  catch (e) { out("page fetch blocked: " + e.name); }
  await new Promise((res) => {
    const ws = new WebSocket("ws://127.0.0.1:PORT/");
    ws.onopen = () => ws.send('{"function":"iReadCardBas","iType":3}');
    ws.onmessage = (m) => { out("ws message " + m.data); res(); };
    ws.onerror = () => { out("ws refused"); res(); };
    ws.onclose = () => res();
  });
  out("done");
})();
</script>"#;

#[test]
#[ignore = "needs pcscd + vpcd + chromium: run scripts/e2e-pcsc.sh"]
fn the_page_in_headless_chromium() {
    let _g = e2e("the_page_in_headless_chromium");
    let files = CardFiles::personalised("serve-page");
    // Both vpcd readers empty: the page reads whichever reader holds a card when it loads.
    await_empty(&[READER0, READER1]);
    support::block_on(async {
        let svc = Service::start(Some(files.keys.clone()), |c| {
            c.reader = Some(READER0.into());
        })
        .await;
        let mut b = Browser::launch().await;
        b.goto(&svc.url("/")).await;
        assert!(b
            .text("status")
            .await
            .contains("请插卡 Please insert a card"));

        // Insert the card: the page reads it on the event and shows the holder.
        let live = Live::card(&files);
        b.wait_for(
            "document.getElementById('holder').innerText.includes('王小明')",
            T,
        )
        .await;
        let holder = b.text("holder").await;
        for want in [
            "姓名 Name",
            "王小明",
            "110101199003071233",
            "A00000011",
            "社会保障号码 SSN",
        ] {
            assert!(holder.contains(want), "{want} not in {holder}");
        }
        assert!(b.text("status").await.contains("已读卡 Card read: 王小明"));
        b.wait_for("document.getElementById('tries').innerText === '3'", T)
            .await;

        // The demo PIN: verified, tries shown.
        b.eval(&format!("document.getElementById('pin').value = '{PIN}'; document.getElementById('verify').click(); 1"))
            .await;
        b.wait_for(
            "document.getElementById('log').innerText.includes('校验密码 verify PIN 成功 ok')",
            T,
        )
        .await;
        assert_eq!(b.text("tries").await, "3");
        assert!(b.text("log").await.contains("剩余 tries left 3"));

        // A wrong PIN: the tries left shown, the failure logged.
        b.eval("document.getElementById('pin').value = '999999'; document.getElementById('verify').click(); 1")
            .await;
        b.wait_for("document.getElementById('tries').innerText === '2'", T)
            .await;
        let log = b.text("log").await;
        assert!(log.contains("校验密码 verify PIN 失败 failed"), "{log}");
        // The PIN field's value never appears in the page's text or log.
        assert!(!log.contains("999999") && !log.contains(PIN), "{log}");

        let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-page.png");
        b.screenshot(&shot).await;
        println!("screenshot: {}", shot.display());

        // Restore the tries for what follows.
        b.eval(&format!("document.getElementById('pin').value = '{PIN}'; document.getElementById('verify').click(); 1"))
            .await;
        b.wait_for("document.getElementById('tries').innerText === '3'", T)
            .await;

        // A page from another origin (not on the allow-list) cannot read the card.
        let hostile = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hostile_port = hostile.local_addr().unwrap().port();
        let html = HOSTILE.replace("PORT", &svc.port.to_string());
        let app = axum::Router::new().route("/", get(move || async move { Html(html) }));
        tokio::spawn(async move { axum::serve(hostile, app).await });
        let before = apdu_count(&live);
        b.goto(&format!("http://127.0.0.1:{hostile_port}/")).await;
        b.wait_for(
            "document.getElementById('out').innerText.includes('done')",
            T,
        )
        .await;
        let out = b.text("out").await;
        println!("hostile page:\n{out}");
        assert!(out.contains("card fetch blocked: TypeError"), "{out}");
        assert!(
            out.contains("card fetch with token blocked: TypeError"),
            "{out}"
        );
        assert!(out.contains("page opaque length 0"), "{out}");
        assert!(out.contains("ws refused"), "{out}");
        assert!(!out.contains("ws message"), "{out}");
        for secret in [
            "王小明",
            "110101199003071233",
            "A00000011",
            svc.token.as_str(),
        ] {
            assert!(!out.contains(secret), "{secret} leaked: {out}");
        }
        assert_eq!(
            apdu_count(&live),
            before,
            "the hostile page reached the card"
        );

        drop(b);
        svc.stop().await;
        live.stop();
    });
}

/// The ```js blocks of the README's "Calling it from a HIS page" section, in order, with the
/// service's test port and token in place of the documented defaults.
fn readme_examples(port: u16, token: &str) -> String {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("#### Calling it from a HIS page")
        .nth(1)
        .expect("README section")
        .split("\n### ")
        .next()
        .unwrap();
    let mut code = String::new();
    for block in section.split("```js\n").skip(1) {
        code.push_str(block.split("```").next().unwrap());
        code.push('\n');
    }
    assert!(code.contains("iReadCardBas") && code.contains("watchCards"));
    code.replace(
        "http://127.0.0.1:12342",
        &format!("http://127.0.0.1:{port}"),
    )
    .replace("ws://127.0.0.1:12342/", &format!("ws://127.0.0.1:{port}/"))
    .replace("<the token from sscard serve --pair>", token)
}

#[test]
#[ignore = "needs pcscd + vpcd + chromium: run scripts/e2e-pcsc.sh"]
fn the_readme_examples_run_in_a_his_page() {
    let _g = e2e("the_readme_examples_run_in_a_his_page");
    let files = CardFiles::personalised("serve-readme");
    let live = Live::card(&files);
    support::block_on(async {
        // The HIS page's origin, allowed in the service's configuration.
        let his = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let his_origin = format!("http://127.0.0.1:{}", his.local_addr().unwrap().port());
        let app = axum::Router::new().route(
            "/",
            get(|| async {
                Html("<!doctype html><meta charset=\"utf-8\"><title>HIS</title><p>HIS</p>")
            }),
        );
        tokio::spawn(async move { axum::serve(his, app).await });
        let origin = his_origin.clone();
        let svc = Service::start(None, move |c| c.allowed_origins = vec![origin]).await;
        let mut b = Browser::launch().await;
        b.goto(&format!("{his_origin}/")).await;

        let code = readme_examples(svc.port, &svc.token);
        let run = format!(
            "window.__log = []; console.log = (...a) => window.__log.push(a.join(' '));\n\
             (async () => {{\n{code}\n}})().then(() => 'ok', (e) => 'error: ' + e.message)"
        );
        let outcome = b.eval(&run).await;
        let log = b.eval("window.__log.join('\\n')").await;
        let log = log.as_str().unwrap().to_string();
        println!("README examples:\n{log}");
        assert_eq!(outcome, "ok", "{log}");
        for want in [
            "iReadCardBas 110101199003071233 王小明",
            "iReadCard SSSEEF05|A00000011|$SSSEEF06|110101199003071233|王小明|$",
            "holder 王小明 A00000011",
            "items 王小明 A00000011",
            "wrong PIN, tries left 2",
            "PIN verified, tries left 3",
        ] {
            assert!(log.contains(want), "{want:?} not in:\n{log}");
        }
        // The event example: pull and reinsert the card.
        tokio::time::sleep(Duration::from_secs(1)).await;
        live.stop();
        b.wait_for(
            "window.__log.includes('event removed Virtual PCD 00 00')",
            T,
        )
        .await;
        let live = Live::card(&files);
        b.wait_for(
            "window.__log.includes('event inserted Virtual PCD 00 00')",
            T,
        )
        .await;
        sscard_e2e::pin_command_lines(&live.trace_lines());
        drop(b);
        svc.stop().await;
        live.stop();
    });
}
