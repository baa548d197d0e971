//! Stand-ins for outside services, as real HTTP servers on loopback: they answer like the
//! real thing and record what they were sent, so tests can check both sides.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// One request a stand-in received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path with query.
    pub uri: String,
    /// `Authorization` header, if any.
    pub authorization: Option<String>,
    /// Body as text.
    pub body: String,
}

/// A running stand-in server.
pub struct StandIn {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Everything received, in order.
    pub log: Arc<Mutex<Vec<Recorded>>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

impl StandIn {
    /// Requests received so far.
    #[must_use]
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("log").clone()
    }
}

type Responder = Arc<dyn Fn(&Recorded) -> HttpResponse + Send + Sync>;

/// Starts a server that records every request and answers with `respond`.
pub fn start(respond: impl Fn(&Recorded) -> HttpResponse + Send + Sync + 'static) -> StandIn {
    let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let respond: Responder = Arc::new(respond);
    let server_log = Arc::clone(&log);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind stand-in");
    let port = listener.local_addr().expect("addr").port();
    let server = HttpServer::new(move || {
        let log = Arc::clone(&server_log);
        let respond = Arc::clone(&respond);
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let log = Arc::clone(&log);
            let respond = Arc::clone(&respond);
            async move {
                let recorded = Recorded {
                    method: req.method().to_string(),
                    uri: req.uri().to_string(),
                    authorization: req
                        .headers()
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: String::from_utf8_lossy(&body).into_owned(),
                };
                log.lock().expect("log").push(recorded.clone());
                respond(&recorded)
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    StandIn {
        base: format!("http://127.0.0.1:{port}"),
        log,
        handle,
    }
}
