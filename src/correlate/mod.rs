//! Correlation: joins the rows of every artifact into incidents, per host, and answers the T2
//! playbook (verdict, document origins, baseline, Office children, phishing link, IOCs,
//! containment). Pure: rows and the profile in, a [`model::Report`] and each row's incident out.

#![forbid(unsafe_code)]

pub mod model;
