//! The built-in service-window page (`GET /`): one HTML file and one script, embedded, no
//! external assets. Staff insert a card and see the holder's data (and photo, where the card has
//! EF08 and the key set allows it), verify / change / unblock / reload the PIN, put the
//! application "dormant" or "active" again (block / unblock), and keep a log of what was done.
//! Chinese with English labels.
//!
//! The page is this service's own origin, so it is always allowed; the installation token is
//! handed to it in a `<meta>` element (a cross-site page cannot read this response: no CORS
//! header is sent without an allowed Origin, the Host check stops DNS rebinding, and framing is
//! forbidden). Scripts run only from `/page.js` (Content-Security-Policy `script-src 'self'`).

use axum::http::header;
use axum::response::IntoResponse;

use crate::state::AppState;

const HTML: &str = include_str!("../assets/page.html");
const JS: &str = include_str!("../assets/page.js");
const CSP: &str = "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn escape_attr(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// The page, with the token in its `<meta name="sscard-token">`.
pub fn html(st: &AppState) -> impl IntoResponse {
    let body = HTML.replace("{{TOKEN}}", &escape_attr(st.token.reveal()));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        body,
    )
}

/// `GET /page.js`.
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        JS,
    )
}
