//! Simulators of outside parties that tests and the demo cannot reach: Safaricom's Daraja
//! API, a hosted card-payment provider and Malaysia's FPX online banking gateway. Each is a real HTTP server on loopback that
//! speaks the party's real wire format; nothing in Lango knows it is talking to one.

pub mod agency_system;
pub mod card;
pub mod daraja;
pub mod fpx;

/// Serves `app` on `listener` until the returned sender is dropped: then the listener closes
/// and so do idle keep-alive connections, so a dropped simulator is unreachable at once.
pub(crate) fn serve_until_dropped(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    name: &'static str,
) -> tokio::sync::oneshot::Sender<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, simulator = name, "simulator stopped");
        }
    });
    stop
}
