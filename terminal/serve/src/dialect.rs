//! The WebSocket dialect today's HIS pages speak to local card services (integrators.md §3):
//!
//! ```text
//! → {"function":"iReadCardBas","iType":3}
//! ← {"functionName":"iReadCardBas","success":"1","pOutInfo":"110100|…|"}
//! → {"function":"iReadCard","iType":3,"iAuthType":1,"pCardInfo":"…","pFileAddr":"SSSEEF05|07|$"}
//! ← {"functionName":"iReadCard","success":"1","pOutInfo":"SSSEEF05|A00000011|$"}
//! ← {"functionName":"iNoSuchThing","success":"-14","pOutInfo":"unknown function iNoSuchThing"}
//! ```
//!
//! `success` is `"1"` on success, else the national error code as a string, and `pOutInfo` then
//! carries the readable message (what callers show). It is served at `/` (where existing pages
//! connect: `ws://127.0.0.1:12342`) and `/ws`; a plain GET of `/` is the built-in page.

use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::error::ServeError;
use crate::national_bridge::{call, NationalCall};
use crate::page;
use crate::state::AppState;

/// `GET /`: the WebSocket dialect when upgraded, else the page.
pub async fn root(
    State(st): State<Arc<AppState>>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match ws {
        Ok(ws) => upgrade(State(st), ws).await,
        Err(_) => page::html(&st).into_response(),
    }
}

/// `GET /ws`.
pub async fn upgrade(State(st): State<Arc<AppState>>, ws: WebSocketUpgrade) -> Response {
    let max = st.config.max_body_bytes;
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| session(st, socket))
}

async fn session(st: Arc<AppState>, mut socket: WebSocket) {
    loop {
        let msg = tokio::select! {
            m = socket.recv() => m,
            () = st.stopped() => break,
        };
        let Some(Ok(msg)) = msg else { break };
        let text = match msg {
            Message::Text(t) => t.to_string(),
            Message::Close(_) => break,
            _ => continue,
        };
        let answer = answer(&st, &text).await;
        if socket
            .send(Message::Text(answer.to_string().into()))
            .await
            .is_err()
        {
            break;
        }
    }
}

/// Parse one request into a call (malformed requests never reach a card). The error carries the
/// function name for the reply; it is built once per refused message, so its size does not matter.
#[allow(clippy::result_large_err)]
pub fn parse(text: &str) -> Result<(String, NationalCall), (String, ServeError)> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        (
            String::new(),
            ServeError::BadRequest(format!("malformed JSON: {e}")),
        )
    })?;
    let function = v
        .get("function")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            (
                String::new(),
                ServeError::BadRequest("no \"function\"".into()),
            )
        })?
        .to_string();
    let int = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_i64().or_else(|| x.as_str()?.parse().ok()))
    };
    let string = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let bad = |m: String| (function.clone(), ServeError::BadRequest(m));
    let i_type = int("iType").unwrap_or(3);
    let c = match function.as_str() {
        "iReadCardBas" => NationalCall::ReadCardBas { i_type },
        "iReadCard" => NationalCall::ReadCard {
            i_type,
            i_auth_type: int("iAuthType").ok_or_else(|| bad("iReadCard needs iAuthType".into()))?,
            p_card_info: string("pCardInfo").unwrap_or_default(),
            p_file_addr: string("pFileAddr")
                .ok_or_else(|| bad("iReadCard needs pFileAddr".into()))?,
        },
        other => return Err(bad(format!("unknown function {other}"))),
    };
    Ok((function, c))
}

/// The answer to one request.
pub async fn answer(st: &AppState, text: &str) -> Value {
    let (name, result) = match parse(text) {
        Ok((name, c)) => (name, call(&st.hub, st.config.reader.as_deref(), c).await),
        Err((name, e)) => (name, Err(e)),
    };
    match result {
        Ok(out) => json!({ "functionName": name, "success": "1", "pOutInfo": out }),
        Err(e) => {
            if let ServeError::BadRequest(m) = &e {
                tracing::warn!(reason = "bad-request", function = %name, message = %m, "refused dialect call");
            }
            json!({ "functionName": name, "success": e.national_code().to_string(), "pOutInfo": e.to_string() })
        }
    }
}
