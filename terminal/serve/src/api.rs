//! The JSON HTTP API, `/v1/…` (every route needs the bearer token, see [`crate::guard`]):
//!
//! | method | path | body | answer |
//! | --- | --- | --- | --- |
//! | GET | `/v1/readers` | | readers with card presence and ATR |
//! | GET | `/v1/readers/{reader}/card` | | `{"info": BasicInfo, "national": "区划|…|"}` |
//! | GET | `/v1/readers/{reader}/items?path=DF04/EF05/81` | | the item or EF (repeat `path=` for several) |
//! | GET | `/v1/readers/{reader}/pin` | | `{"tries_left": n}` |
//! | POST | `/v1/readers/{reader}/pin/verify` | `{"pin":"123456"}` | `{"tries_left": n}`; wrong PIN `409` with `tries_left` |
//! | POST | `/v1/readers/{reader}/pin/change` | `{"old":"…","new":"…"}` | `{"tries_left": n}` |
//! | POST | `/v1/readers/{reader}/pin/unblock` | `{}` | `{"tries_left": n}` (security module) |
//! | POST | `/v1/readers/{reader}/pin/reload` | `{"new":"…"}` | `{"tries_left": n}` (security module) |
//! | POST | `/v1/readers/{reader}/auth/internal` | `{}` | `{"genuine": bool, …}` (security module) |
//! | POST | `/v1/readers/{reader}/application/block` | `{"permanent": false}` | `{"blocked": true}` (security module) |
//! | POST | `/v1/readers/{reader}/application/unblock` | `{"card_id":"32 hex"}` | `{"blocked": false}` (security module; a blocked application does not let the card id be read, so give the one the card read showed) |
//! | GET | `/v1/events` | | server-sent events, [`crate::events`] |
//!
//! `{reader}` is a reader index (`0`) or its name (URL-encoded). PINs travel only in bodies and
//! are never logged. Everything a request names (item paths, body fields) is checked before the
//! card is touched: a malformed request sends no APDU.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use sscard_terminal::national::format::read_card_bas;
use sscard_terminal::national::TerminalIds;
use sscard_terminal::transport::reader_status;
use zeroize::Zeroize;

use crate::error::ServeError;
use crate::hub::blocking;
use crate::state::AppState;

use std::convert::Infallible;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

type Answer = Result<Json<Value>, ServeError>;

/// Parse a JSON body (an empty body counts as `{}`), with a clear error.
pub fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ServeError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ServeError::BadRequest(format!("malformed JSON body: {e}")))
}

/// `GET /v1/readers`.
pub async fn readers() -> Answer {
    let r = blocking(|| Ok(reader_status().map_err(sscard_terminal::Error::from)?)).await?;
    Ok(Json(json!({ "readers": r })))
}

/// `GET /v1/readers/{reader}/card`.
pub async fn card(State(st): State<Arc<AppState>>, Path(reader): Path<String>) -> Answer {
    let info = st
        .hub
        .with_card(&reader, false, |s| s.read_basic_info())
        .await?;
    let national = read_card_bas(&info, &TerminalIds::default());
    Ok(Json(json!({ "info": info, "national": national })))
}

/// The `path=` values of a query string, each checked against the specs' item paths.
pub fn item_paths(query: Option<&str>) -> Result<Vec<String>, ServeError> {
    let mut paths = Vec::new();
    for kv in query
        .unwrap_or_default()
        .split('&')
        .filter(|s| !s.is_empty())
    {
        let Some(v) = kv.strip_prefix("path=") else {
            return Err(ServeError::BadRequest(format!(
                "unknown query parameter {:?}",
                kv.split('=').next().unwrap_or(kv)
            )));
        };
        let v = percent_decode(v)?;
        sscard_specs::resolve(&v)
            .map_err(|e| ServeError::BadRequest(format!("item path {v:?}: {e}")))?;
        paths.push(v);
    }
    if paths.is_empty() {
        return Err(ServeError::BadRequest(
            "no item path (?path=DF04/EF05/81)".into(),
        ));
    }
    Ok(paths)
}

fn percent_decode(s: &str) -> Result<String, ServeError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let v = hex
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    ServeError::BadRequest("bad percent-encoding in the query".into())
                })?;
            out.push(v);
            i += 3;
        } else {
            out.push(if c == b'+' { b' ' } else { c });
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ServeError::BadRequest("query is not UTF-8".into()))
}

/// `GET /v1/readers/{reader}/items?path=…`.
pub async fn items(
    State(st): State<Arc<AppState>>,
    Path(reader): Path<String>,
    RawQuery(q): RawQuery,
) -> Answer {
    let paths = item_paths(q.as_deref())?;
    let secure = st.hub.has_security_module();
    let values = st
        .hub
        .with_card(&reader, secure, move |s| {
            paths
                .iter()
                .map(|p| s.read_path(p))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(json!({ "items": values })))
}

/// `GET /v1/readers/{reader}/pin`.
pub async fn pin_tries(State(st): State<Arc<AppState>>, Path(reader): Path<String>) -> Answer {
    let n = st.hub.with_card(&reader, false, |s| s.pin_tries()).await?;
    Ok(Json(json!({ "tries_left": n })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pin {
    pin: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    old: String,
    new: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reload {
    new: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Block {
    #[serde(default)]
    permanent: bool,
}

fn digits(what: &str, pin: &str) -> Result<(), ServeError> {
    if pin.is_empty() || !pin.bytes().all(|c| c.is_ascii_digit()) {
        return Err(ServeError::BadRequest(format!(
            "{what}: PIN digits expected"
        )));
    }
    Ok(())
}

/// `POST /v1/readers/{reader}/pin/verify`.
pub async fn pin_verify(
    State(st): State<Arc<AppState>>,
    Path(reader): Path<String>,
    body: Bytes,
) -> Answer {
    let mut b: Pin = json_body(&body)?;
    digits("pin", &b.pin)?;
    let pin = std::mem::take(&mut b.pin);
    let r = st
        .hub
        .with_card(&reader, false, move |s| {
            let mut pin = pin;
            let r = s.verify_pin(&pin);
            pin.zeroize();
            r
        })
        .await?;
    Ok(Json(json!({ "tries_left": r.tries_left })))
}

/// `POST /v1/readers/{reader}/pin/change`.
pub async fn pin_change(
    State(st): State<Arc<AppState>>,
    Path(reader): Path<String>,
    body: Bytes,
) -> Answer {
    let mut b: Change = json_body(&body)?;
    digits("old", &b.old)?;
    digits("new", &b.new)?;
    let (old, new) = (std::mem::take(&mut b.old), std::mem::take(&mut b.new));
    let r = st
        .hub
        .with_card(&reader, false, move |s| {
            let (mut old, mut new) = (old, new);
            let r = s.change_pin(&old, &new);
            old.zeroize();
            new.zeroize();
            r
        })
        .await?;
    Ok(Json(json!({ "tries_left": r.tries_left })))
}

/// `POST /v1/readers/{reader}/pin/unblock`.
pub async fn pin_unblock(
    State(st): State<Arc<AppState>>,
    Path(reader): Path<String>,
    body: Bytes,
) -> Answer {
    let _: Empty = json_body(&body)?;
    let r = st.hub.with_card(&reader, true, |s| s.unblock_pin()).await?;
    Ok(Json(json!({ "tries_left": r.tries_left })))
}

/// `POST /v1/readers/{reader}/pin/reload`.
pub async fn pin_reload(
    State(st): State<Arc<AppState>>,
    Path(reader): Path<String>,
    body: Bytes,
) -> Answer {
    let mut b: Reload = json_body(&body)?;
    digits("new", &b.new)?;
    let new = std::mem::take(&mut b.new);
    let r = st
        .hub
        .with_card(&reader, true, move |s| {
            let mut new = new;
            let r = s.reload_pin(&new);
            new.zeroize();
            r
        })
        .await?;
    Ok(Json(json!({ "tries_left": r.tries_left })))
}

/// `POST /v1/readers/{reader}/auth/internal`.
pub async fn internal_auth(
    State(st): State<Arc<AppState>>,
    Path(reader): Path<String>,
    body: Bytes,
) -> Answer {
    let _: Empty = json_body(&body)?;
    let v = st
        .hub
        .with_card(&reader, true, |s| s.internal_authenticate())
        .await?;
    Ok(Json(json!(v)))
}

/// `POST /v1/readers/{reader}/application/block`.
pub async fn app_block(
    State(st): State<Arc<AppState>>,
    Path(reader): Path<String>,
    body: Bytes,
) -> Answer {
    let b: Block = json_body(&body)?;
    st.hub
        .with_card(&reader, true, move |s| s.block_application(b.permanent))
        .await?;
    Ok(Json(json!({ "blocked": true, "permanent": b.permanent })))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Unblock {
    /// The card identification code (32 hex digits, `info.issuer.card_id.raw`): a blocked
    /// application does not let it be read, and the unblock MAC's key is diversified by it.
    #[serde(default)]
    card_id: Option<String>,
}

/// A card identification code: 16 bytes as 32 hex digits.
fn card_id(hex_id: &str) -> Result<[u8; 16], ServeError> {
    let mut id = [0u8; 16];
    hex::decode_to_slice(hex_id, &mut id)
        .map_err(|_| ServeError::BadRequest("card_id: 32 hex digits expected".into()))?;
    Ok(id)
}

/// `POST /v1/readers/{reader}/application/unblock`.
pub async fn app_unblock(
    State(st): State<Arc<AppState>>,
    Path(reader): Path<String>,
    body: Bytes,
) -> Answer {
    let b: Unblock = json_body(&body)?;
    let id = b.card_id.as_deref().map(card_id).transpose()?;
    st.hub
        .with_card(&reader, true, move |s| {
            if let Some(id) = id {
                s.set_card_id(id);
            }
            s.unblock_application()
        })
        .await?;
    Ok(Json(json!({ "blocked": false })))
}

/// `GET /v1/events`: card insert / remove as server-sent events ([`crate::events`]).
pub async fn events(
    State(state): State<Arc<AppState>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = BroadcastStream::new(state.events.subscribe());
    let st = state.clone();
    let s = rx.filter_map(|e| {
        let e = e.ok()?;
        let data = serde_json::to_string(&e).ok()?;
        Some(Ok(Event::default().event(e.event).data(data)))
    });
    // The stream ends when the service stops.
    let s = futures_util::StreamExt::take_until(s, async move { st.stopped().await });
    Sse::new(s).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_paths_are_checked_before_any_card_access() {
        assert_eq!(
            item_paths(Some("path=DF04/EF05/81")).unwrap(),
            ["DF04/EF05/81"]
        );
        assert_eq!(
            item_paths(Some("path=SSSE%2FEF06%2F09&path=SSSE/EF05")).unwrap(),
            ["SSSE/EF06/09", "SSSE/EF05"]
        );
        for bad in [
            "path=../../etc/passwd",
            "path=%2e%2e%2fSSSE",
            "path=SSSE/EF06/../EF05",
            "path=%zz",
            "file=SSSE/EF05",
            "",
        ] {
            assert!(
                matches!(item_paths(Some(bad)), Err(ServeError::BadRequest(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn bodies_are_strict_json() {
        assert!(json_body::<Empty>(b"").is_ok());
        assert!(json_body::<Pin>(b"{\"pin\":\"123456\"}").is_ok());
        for bad in [
            &b"{"[..],
            b"{\"pin\":1}",
            b"{\"pin\":\"1\",\"x\":2}",
            b"not json",
        ] {
            assert!(matches!(
                json_body::<Pin>(bad),
                Err(ServeError::BadRequest(_))
            ));
        }
    }
}
