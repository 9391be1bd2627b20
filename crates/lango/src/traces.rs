//! OpenTelemetry traces, when `otlp_traces_url` is configured: the spans the node logs (one
//! per request, named `request`, with its method, path and `request_id`) are also sent to
//! an OpenTelemetry collector over OTLP/HTTP (JSON), in batches from a thread of the SDK's.
//!
//! The export goes through reqwest at the version the node already uses (webhooks, SMS),
//! run on the node's runtime: the SDK's own HTTP client would bring a second version.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;

/// The exporting pipeline; [`Traces::shutdown`] sends what is still buffered.
pub struct Traces(SdkTracerProvider);

impl Traces {
    /// Starts exporting to `url` (such as `http://collector:4318/v1/traces`); the HTTP
    /// requests run on `runtime`.
    pub fn start(url: &str, runtime: tokio::runtime::Handle) -> anyhow::Result<Traces> {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpJson)
            .with_endpoint(url)
            .with_http_client(Client {
                http: reqwest::Client::new(),
                runtime,
            })
            .build()?;
        let resource = opentelemetry_sdk::Resource::builder()
            .with_service_name("lango")
            .build();
        Ok(Traces(
            SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(resource)
                .build(),
        ))
    }

    /// The layer that turns the node's spans into OpenTelemetry spans.
    pub fn layer<S>(&self) -> impl tracing_subscriber::Layer<S>
    where
        S: tracing::Subscriber + for<'s> tracing_subscriber::registry::LookupSpan<'s>,
    {
        tracing_opentelemetry::layer().with_tracer(self.0.tracer("lango"))
    }

    /// Exports what is buffered and stops.
    pub fn shutdown(self) {
        if let Err(e) = self.0.shutdown() {
            eprintln!("lango: traces not all exported: {e}");
        }
    }
}

/// OTLP's HTTP client: the request is sent from the node's runtime (the SDK's batch thread
/// has none) and its answer awaited from there.
#[derive(Debug)]
struct Client {
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl opentelemetry_http::HttpClient for Client {
    async fn send_bytes(
        &self,
        request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
        let http = self.http.clone();
        let (parts, body) = request.into_parts();
        let sent = self.runtime.spawn(async move {
            let res = http
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .timeout(std::time::Duration::from_secs(10))
                .send()
                .await?;
            let status = res.status();
            Ok::<_, reqwest::Error>((status, res.bytes().await?))
        });
        let (status, body) = sent.await??;
        Ok(http::Response::builder().status(status).body(body)?)
    }
}
