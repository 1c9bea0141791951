//! The router and the listeners: every route behind [`crate::guard::guard`], every listen address
//! checked by [`crate::bind::loopback_addrs`] first.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::config::Config;
use crate::error::ServeError;
use crate::events;
use crate::guard;
pub use crate::state::AppState;
use crate::token::Token;
use crate::{api, dialect, page};

/// The routes.
pub fn router(state: Arc<AppState>) -> Router {
    let max = state.config.max_body_bytes;
    Router::new()
        .route("/", get(dialect::root))
        .route("/ws", get(dialect::upgrade))
        .route("/page.js", get(page::script))
        .route("/v1/readers", get(api::readers))
        .route("/v1/readers/{reader}/card", get(api::card))
        .route("/v1/readers/{reader}/items", get(api::items))
        .route("/v1/readers/{reader}/pin", get(api::pin_tries))
        .route("/v1/readers/{reader}/pin/verify", post(api::pin_verify))
        .route("/v1/readers/{reader}/pin/change", post(api::pin_change))
        .route("/v1/readers/{reader}/pin/unblock", post(api::pin_unblock))
        .route("/v1/readers/{reader}/pin/reload", post(api::pin_reload))
        .route(
            "/v1/readers/{reader}/auth/internal",
            post(api::internal_auth),
        )
        .route(
            "/v1/readers/{reader}/application/block",
            post(api::app_block),
        )
        .route(
            "/v1/readers/{reader}/application/unblock",
            post(api::app_unblock),
        )
        .route("/v1/events", get(api::events))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .layer(DefaultBodyLimit::max(max))
        .with_state(state)
}

/// A running service.
pub struct Running {
    /// The addresses it listens on (the actual ports when `:0` was asked for).
    pub addrs: Vec<SocketAddr>,
    /// The certificate served when TLS is enabled.
    pub tls: Option<crate::tls::TlsIdentity>,
    state: Arc<AppState>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stop listening and wait for the listeners to end.
    pub async fn stop(self) {
        let _ = self.state.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Wait until Ctrl-C / SIGTERM, then stop.
    pub async fn until_signal(self) {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("sscard serve stopping");
        self.stop().await;
    }
}

/// Run the service until Ctrl-C / SIGTERM on its own tokio runtime (what `sscard serve` calls:
/// the command line needs no async code). The token comes from `config.token_file` (created
/// when missing); `ready` is called with the bound addresses once listening.
pub fn run_until_signal(
    config: Config,
    ready: impl FnOnce(&[SocketAddr], Option<&crate::tls::TlsIdentity>),
) -> Result<(), ServeError> {
    crate::bind::loopback_addrs(&config.listen)?;
    let token = Token::load_or_create(&config.token_file)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServeError::Io {
            context: "starting the runtime".into(),
            source,
        })?;
    rt.block_on(async move {
        let running = serve(config, token).await?;
        ready(&running.addrs, running.tls.as_ref());
        running.until_signal().await;
        Ok(())
    })
}

/// Start the service with `config` and `token` (loopback addresses only).
pub async fn serve(config: Config, token: Token) -> Result<Running, ServeError> {
    let addrs = crate::bind::loopback_addrs(&config.listen)?;
    let tls = if config.tls.enabled {
        Some(crate::tls::load_or_create(&config.tls)?)
    } else {
        None
    };
    let mut listeners = Vec::new();
    for a in &addrs {
        let l = tokio::net::TcpListener::bind(a)
            .await
            .map_err(|source| ServeError::Io {
                context: format!("listening on {a}"),
                source,
            })?;
        listeners.push(l);
    }
    let bound: Vec<SocketAddr> = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    let mut ports: Vec<u16> = bound.iter().map(SocketAddr::port).collect();
    ports.sort_unstable();
    ports.dedup();
    let state = Arc::new(AppState::new(config, token, ports));
    let stopped = state.stopping.clone();
    let mut tasks = vec![events::spawn_watcher(state.events.clone(), stopped.clone())];
    for l in listeners {
        let app = router(state.clone());
        let mut stopped = stopped.clone();
        if let Some(id) = &tls {
            let acceptor = tokio_rustls::TlsAcceptor::from(id.server.clone());
            tasks.push(tokio::spawn(serve_tls(l, acceptor, app, stopped)));
            continue;
        }
        tasks.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(l, app).with_graceful_shutdown(shutdown).await {
                tracing::error!(error = %e, "listener failed");
            }
        }));
    }
    for a in &bound {
        tracing::info!(%a, "sscard serve listening");
    }
    Ok(Running {
        addrs: bound,
        tls,
        state,
        tasks,
    })
}

/// How long a client has to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Accept TLS connections on `l` until the service stops; each connection is served by hyper
/// (HTTP/1.1 with upgrades, for the WebSocket dialect) with the same router, so every check of
/// the plain listener applies unchanged. A client that does not speak TLS is dropped at the
/// handshake.
async fn serve_tls(
    l: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: Router,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let (tcp, peer) = tokio::select! {
            r = l.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            () = wait_stopped(&mut stopped) => break,
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::warn!(%peer, error = %e, "refused: TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::warn!(%peer, "refused: TLS handshake timed out");
                    return;
                }
            };
            let io = hyper_util::rt::TokioIo::new(tls);
            let service = hyper_util::service::TowerToHyperService::new(app);
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let conn = builder.serve_connection_with_upgrades(io, service);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(%peer, error = %e, "TLS connection ended");
                    }
                }
                () = wait_stopped(&mut stopped) => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}

async fn wait_stopped(stopped: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}
