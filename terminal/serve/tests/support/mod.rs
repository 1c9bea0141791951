//! What the `sscard serve` end-to-end tests share: the service started in-process on an ephemeral
//! loopback port (its token in a temporary directory), a small HTTP/1.1 client (hyper), a
//! WebSocket client (tungstenite) and the card's APDU count from the emulator's trace.
//!
//! The tests run inside pcscd's network namespace (`scripts/e2e-pcsc.sh`): the emulated card
//! (`sscard_e2e::Live`) and the service both live in the test process there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub mod browser;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::http::{HeaderMap, Request, StatusCode};
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use sscard_e2e::Live;
use sscard_serve::{serve, Config, Running, Token};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// Run an async test body on a multi-threaded runtime (the service's tasks on its workers, the
/// body — which also makes blocking calls to the emulator and pcscd — on this thread).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The origin the tests' configuration allows (a HIS page).
pub const HIS: &str = "https://his.example.cn";
/// An origin that is not allowed.
pub const EVIL: &str = "https://evil.example";

/// A running service.
pub struct Service {
    running: Option<Running>,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its token.
    pub token: String,
    dir: PathBuf,
}

static DIRS: AtomicU32 = AtomicU32::new(0);

impl Service {
    /// Start on `127.0.0.1:0`, allowing [`HIS`], with `keys` as the security module, and whatever
    /// `tweak` changes.
    pub async fn start(keys: Option<PathBuf>, tweak: impl FnOnce(&mut Config)) -> Service {
        let n = DIRS.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("sscard-serve-e2e-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut config = Config {
            listen: vec!["127.0.0.1:0".into()],
            allowed_origins: vec![HIS.into()],
            token_file: dir.join("token"),
            rate_per_minute: 1_000_000,
            keys,
            ..Config::default()
        };
        tweak(&mut config);
        let token = Token::load_or_create(&config.token_file).unwrap();
        let secret = token.reveal().to_string();
        let running = serve(config, token).await.unwrap();
        let port = running.addrs[0].port();
        Service {
            running: Some(running),
            port,
            token: secret,
            dir,
        }
    }

    /// The running service (its addresses, its TLS certificate).
    pub fn running(&self) -> &Running {
        self.running.as_ref().expect("running")
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// The base URL.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// A request with the token (and `extra` headers).
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Resp {
        let auth = self.bearer();
        http(self.port, method, path, &[("authorization", &auth)], body).await
    }

    /// Stop listening.
    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Resp {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub text: String,
}

impl Resp {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// Assert 200 and return the JSON body.
    pub fn ok(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{self:?}");
        self.json()
    }

    /// The error kind of an error answer.
    pub fn kind(&self) -> String {
        self.json()["error"]["kind"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

async fn send(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> hyper::Response<Incoming> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", format!("127.0.0.1:{port}"));
    let has_host = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"));
    if has_host {
        b = Request::builder().method(method).uri(path);
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    let req = b
        .body(Full::new(Bytes::from(body.unwrap_or_default().to_string())))
        .unwrap();
    sender.send_request(req).await.unwrap()
}

/// One HTTP/1.1 request to the service on `port` (Host `127.0.0.1:port` unless `headers` name
/// one).
pub async fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Resp {
    let resp = send(port, method, path, headers, body).await;
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A kept-alive HTTP/1.1 connection (one client of the load test).
pub struct Conn {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    port: u16,
    auth: String,
}

impl Conn {
    /// Connect to the service.
    pub async fn open(svc: &Service) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", svc.port)).await.unwrap();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        Conn {
            sender,
            port: svc.port,
            auth: svc.bearer(),
        }
    }

    /// `GET path` with the token on this connection.
    pub async fn get(&mut self, path: &str) -> Resp {
        self.sender.ready().await.unwrap();
        let req = Request::builder()
            .method("GET")
            .uri(path)
            .header("host", format!("127.0.0.1:{}", self.port))
            .header("authorization", &self.auth)
            .body(Full::new(Bytes::new()))
            .unwrap();
        let resp = self.sender.send_request(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// A server-sent event stream (`GET /v1/events`).
pub struct Events {
    body: Incoming,
    buf: String,
}

impl Events {
    /// Subscribe.
    pub async fn open(svc: &Service) -> Events {
        let auth = svc.bearer();
        let resp = send(
            svc.port,
            "GET",
            "/v1/events",
            &[("authorization", &auth)],
            None,
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
        Events {
            body: resp.into_body(),
            buf: String::new(),
        }
    }

    /// The next event's data (JSON), within `timeout`; keep-alive comments are skipped.
    pub async fn next(&mut self, timeout: std::time::Duration) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Some(i) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..i + 2).collect();
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim_start)
                    .collect();
                if !data.is_empty() {
                    return serde_json::from_str(&data).unwrap();
                }
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .expect("no event in time")
                .expect("event stream ended")
                .unwrap();
            if let Ok(data) = frame.into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }
}

impl Events {
    /// Did the stream end (within 5 s)?
    pub async fn ended(&mut self) -> bool {
        loop {
            match tokio::time::timeout(std::time::Duration::from_secs(5), self.body.frame()).await {
                Ok(None) | Ok(Some(Err(_))) => return true,
                Ok(Some(Ok(_))) => continue,
                Err(_) => return false,
            }
        }
    }
}

/// A WebSocket connection to the dialect at `path` with these headers.
pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// Connect to `ws://127.0.0.1:port{path}` with `origin` (if any); the handshake's HTTP status
/// on refusal.
pub async fn ws(port: u16, path: &str, origin: Option<&str>) -> Result<Ws, u16> {
    let mut req = format!("ws://127.0.0.1:{port}{path}")
        .into_client_request()
        .unwrap();
    if let Some(o) = origin {
        req.headers_mut().insert("origin", o.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((s, _)) => Ok(s),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("websocket: {e}"),
    }
}

/// Send one dialect request, return the answer (on any WebSocket: plain or over TLS).
pub async fn ws_call<S>(s: &mut tokio_tungstenite::WebSocketStream<S>, request: &str) -> Value
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    s.send(Message::Text(request.into())).await.unwrap();
    loop {
        match s.next().await.expect("socket closed").unwrap() {
            Message::Text(t) => return serde_json::from_str(&t).unwrap(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => {}
        }
    }
}

/// The card's APDUs so far: the `[card] NAME > C-APDU` lines of the emulator's trace.
pub fn card_commands(live: &Live) -> Vec<String> {
    live.trace_lines()
        .iter()
        .filter_map(|e| e.lines().next())
        .filter(|l| l.starts_with("[card]") && l.contains(" > "))
        .map(str::to_owned)
        .collect()
}

/// How many APDUs the card has received.
pub fn apdu_count(live: &Live) -> usize {
    card_commands(live).len()
}
