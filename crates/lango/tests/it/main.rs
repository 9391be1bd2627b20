//! Integration tests: the real binary, the real HTTP stack, SQLite always and PostgreSQL
//! when `LANGO_TEST_POSTGRES_URL` is set. One test binary keeps the build short.

mod browser_kit;
mod sms_simulator;
mod smtp_server;
mod support;
mod webhook_receiver;

mod about_browser;
mod about_pages;
mod access;
mod accounts;
mod bills;

mod browser;
mod cards;
mod cases_api;
mod cases_browser;
mod cases_engine;
mod cases_files;
mod cases_journey;
mod cases_work;
mod catalogue_api;
mod catalogue_import;
mod finance;
mod insights_open_data;
mod insights_performance;
mod insights_survey;
mod insights_survey_browser;
mod insights_usage;
mod mpesa;
mod mpesa_crash;
mod my_data;
mod notifications;
mod notifications_browser;
mod notifications_journey;
mod pages;
mod passport_form;
mod pay;
mod reconciliation;
mod refunds;
mod registration;
mod sample_data;
mod security_accounts;
mod security_audit;
mod security_duties;
mod security_edge;
mod services_admin;
mod settlement;
mod stk;
mod webhook_crash;
mod webhooks;
