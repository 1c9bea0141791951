//! The checks every request passes before it can reach a card, in this order:
//!
//! 1. **Host** must be this service's loopback address (`127.0.0.1:port`, `[::1]:port`,
//!    `localhost:port`): a page on an attacker's name that resolves to 127.0.0.1 (DNS rebinding)
//!    gets nothing.
//! 2. **Origin**, when the request carries one (every browser request does), must be the
//!    service's own origin or on the allow-list; `null` (sandboxed frames, files) never is.
//!    CORS and Private-Network-Access preflights (`OPTIONS` with
//!    `Access-Control-Request-Private-Network`) are answered **only** for allowed origins, and
//!    `Authorization` is named explicitly in `Access-Control-Allow-Headers`.
//! 3. **Rate**: a token bucket per origin (all clients are on loopback, so the address tells
//!    nothing), `rate_per_minute` requests, then `429`.
//! 4. **Size**: a declared body over `max_body_bytes` → `413` (axum's body limit backs it up).
//! 5. **Token** (`Authorization: Bearer …`) on the API (`/v1/…`); on the WebSocket dialect when
//!    `ws_requires_token` (legacy pages cannot send headers on a WebSocket: they may pass
//!    `?token=`, or are admitted by an allowed Origin alone when the option is off; a WebSocket
//!    without an Origin always needs the token).
//!
//! Every refusal is logged at `warn` with its reason, the method, the path without its query and
//! the origin — never a token or a PIN.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{Refusal, ServeError};
pub use crate::rate::RateLimiter;
use crate::state::AppState;

fn header_str(h: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Is `host` (a Host header value) one of the service's own loopback authorities?
pub fn host_allowed(state: &AppState, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    state.ports.iter().any(|p| {
        [
            format!("127.0.0.1:{p}"),
            format!("[::1]:{p}"),
            format!("localhost:{p}"),
        ]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(host))
    })
}

/// Is `origin` allowed: the service's own origin or on the allow-list (`null` never)?
pub fn origin_allowed(state: &AppState, origin: &str) -> bool {
    if origin == "null" {
        return false;
    }
    let own = state.ports.iter().any(|p| {
        ["http", "https"].iter().any(|s| {
            [
                format!("{s}://127.0.0.1:{p}"),
                format!("{s}://[::1]:{p}"),
                format!("{s}://localhost:{p}"),
            ]
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
        })
    });
    own || state.config.allowed_origins.iter().any(|o| o == origin)
}

fn bearer(h: &HeaderMap) -> Option<&str> {
    header_str(h, header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "))
}

fn query_token(q: Option<&str>) -> Option<&str> {
    q?.split('&').find_map(|kv| kv.strip_prefix("token="))
}

fn refuse(r: Refusal, method: &Method, path: &str, origin: Option<&str>) -> Response {
    tracing::warn!(
        reason = r.code(),
        %method,
        path,
        origin = origin.unwrap_or("-"),
        "refused request"
    );
    ServeError::Refused(r).into_response()
}

fn cors_headers(resp: &mut Response, origin: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
}

/// The middleware.
pub async fn guard(State(state): State<Arc<AppState>>, req: Request<Body>, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let headers = req.headers();
    let origin = header_str(headers, header::ORIGIN).map(str::to_string);
    let o = origin.as_deref();
    if !host_allowed(&state, header_str(headers, header::HOST)) {
        return refuse(Refusal::Host, &method, &path, o);
    }
    if let Some(origin) = o {
        if !origin_allowed(&state, origin) {
            return refuse(Refusal::Origin, &method, &path, o);
        }
    }
    if method == Method::OPTIONS {
        let Some(origin) = o else {
            return StatusCode::NO_CONTENT.into_response();
        };
        let mut resp = StatusCode::NO_CONTENT.into_response();
        cors_headers(&mut resp, origin);
        let h = resp.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        if headers.contains_key("access-control-request-private-network") {
            h.insert(
                "access-control-allow-private-network",
                HeaderValue::from_static("true"),
            );
        }
        return resp;
    }
    if !state.rate.allow(o.unwrap_or("-")) {
        return refuse(Refusal::Rate, &method, &path, o);
    }
    let declared =
        header_str(headers, header::CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > state.config.max_body_bytes) {
        return refuse(Refusal::TooLarge, &method, &path, o);
    }
    let is_ws = headers
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let needs_token = if is_ws {
        state.config.ws_requires_token || o.is_none()
    } else {
        path.starts_with("/v1/")
    };
    if needs_token {
        let presented = bearer(headers).or_else(|| {
            if is_ws {
                query_token(req.uri().query())
            } else {
                None
            }
        });
        match presented {
            None => return refuse(Refusal::NoToken, &method, &path, o),
            Some(t) if !state.token.matches(t) => {
                return refuse(Refusal::WrongToken, &method, &path, o)
            }
            Some(_) => {}
        }
    }
    let mut resp = next.run(req).await;
    if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
        tracing::warn!(reason = "too-large", %method, path, origin = o.unwrap_or("-"), "refused request");
    }
    if let Some(origin) = o {
        cors_headers(&mut resp, origin);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::server::router;
    use crate::token::Token;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    const PORT: u16 = 12342;

    fn state(origins: &[&str]) -> Arc<AppState> {
        let config = Config {
            allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
            max_body_bytes: 64,
            ..Config::default()
        };
        Arc::new(AppState::new(
            config,
            Token::generate().unwrap(),
            vec![PORT],
        ))
    }

    fn request(method: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Request<Body> {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, format!("127.0.0.1:{PORT}"));
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::from(body)).unwrap()
    }

    async fn send(
        st: &Arc<AppState>,
        req: Request<Body>,
    ) -> (StatusCode, HeaderMap, serde_json::Value) {
        let resp = router(st.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, headers, json)
    }

    #[test]
    fn own_and_listed_origins_only() {
        let st = state(&["https://his.example.cn"]);
        assert!(origin_allowed(&st, "https://his.example.cn"));
        assert!(origin_allowed(&st, "http://127.0.0.1:12342"));
        assert!(origin_allowed(&st, "http://localhost:12342"));
        assert!(origin_allowed(&st, "http://[::1]:12342"));
        for bad in [
            "null",
            "https://his.example.cn.evil.cn",
            "http://his.example.cn",
            "https://his.example.cn:8443",
            "http://127.0.0.1:8080",
            "",
        ] {
            assert!(!origin_allowed(&st, bad), "{bad}");
        }
        assert!(host_allowed(&st, Some("127.0.0.1:12342")));
        assert!(host_allowed(&st, Some("LOCALHOST:12342")));
        for bad in [
            None,
            Some("evil.example:12342"),
            Some("127.0.0.1"),
            Some("127.0.0.1:80"),
        ] {
            assert!(!host_allowed(&st, bad), "{bad:?}");
        }
    }

    #[test]
    fn rate_limit_is_per_key() {
        let r = RateLimiter::new(3);
        assert!((0..3).all(|_| r.allow("a")));
        assert!(!r.allow("a"));
        assert!(r.allow("b"));
    }

    #[tokio::test]
    async fn refusals_have_their_status_and_reason() {
        let st = state(&["https://his.example.cn"]);
        let tok = format!("Bearer {}", st.token.reveal());
        // A disallowed origin, even with the right token.
        let (s, h, j) = send(
            &st,
            request(
                "GET",
                "/v1/readers",
                &[("origin", "https://evil.example"), ("authorization", &tok)],
                vec![],
            ),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(j["error"]["kind"], "origin");
        assert!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        // No token, a wrong one, a token in the query string (not accepted on HTTP).
        let (s, _, j) = send(&st, request("GET", "/v1/readers", &[], vec![])).await;
        assert_eq!(
            (s, j["error"]["kind"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("no-token"))
        );
        let (s, _, j) = send(
            &st,
            request(
                "GET",
                "/v1/readers",
                &[("authorization", "Bearer 00")],
                vec![],
            ),
        )
        .await;
        assert_eq!(
            (s, j["error"]["kind"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("wrong-token"))
        );
        let q = format!("/v1/readers?token={}", st.token.reveal());
        let (s, _, _) = send(&st, request("GET", &q, &[], vec![])).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // DNS rebinding: a foreign Host.
        let mut r = request("GET", "/", &[], vec![]);
        r.headers_mut()
            .insert(header::HOST, HeaderValue::from_static("evil.example:12342"));
        let (s, _, j) = send(&st, r).await;
        assert_eq!(
            (s, j["error"]["kind"].as_str()),
            (StatusCode::FORBIDDEN, Some("host"))
        );
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_declared_or_not() {
        let st = state(&[]);
        let tok = format!("Bearer {}", st.token.reveal());
        let big = vec![b' '; 65];
        let (s, _, j) = send(
            &st,
            request(
                "POST",
                "/v1/readers/0/pin/verify",
                &[("authorization", &tok), ("content-length", "65")],
                big.clone(),
            ),
        )
        .await;
        assert_eq!(
            (s, j["error"]["kind"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("too-large"))
        );
        // Undeclared (chunked): the body limit stops it before the handler reads a reader.
        let (s, _, _) = send(
            &st,
            request(
                "POST",
                "/v1/readers/0/pin/verify",
                &[("authorization", &tok)],
                big,
            ),
        )
        .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn preflights_only_for_allowed_origins() {
        let st = state(&["https://his.example.cn"]);
        let pre = |origin: &'static str| {
            request(
                "OPTIONS",
                "/v1/readers",
                &[
                    ("origin", origin),
                    ("access-control-request-method", "GET"),
                    ("access-control-request-headers", "authorization"),
                    ("access-control-request-private-network", "true"),
                ],
                vec![],
            )
        };
        let (s, h, _) = send(&st, pre("https://his.example.cn")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(
            h[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://his.example.cn"
        );
        assert_eq!(h["access-control-allow-private-network"], "true");
        assert!(h[header::ACCESS_CONTROL_ALLOW_HEADERS]
            .to_str()
            .unwrap()
            .contains("Authorization"));
        let (s, h, _) = send(&st, pre("https://evil.example")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(h.get("access-control-allow-private-network").is_none());
        assert!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    }

    #[tokio::test]
    async fn the_page_carries_the_token_and_forbids_framing() {
        let st = state(&[]);
        let resp = router(st.clone())
            .oneshot(request("GET", "/", &[], vec![]))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()[header::X_FRAME_OPTIONS], "DENY");
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains(&format!("content=\"{}\"", st.token.reveal())));
    }
}
