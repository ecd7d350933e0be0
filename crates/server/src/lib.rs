//! The `dcms` binary's library: command line, configuration, the use cases (`services`), and
//! the HTTP layer (`http`: JSON API with its OpenAPI document, and later the web pages), all
//! over `dcms-store`.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod http;
pub mod services;
pub mod telemetry;

pub use app::Application;
pub use config::Config;
