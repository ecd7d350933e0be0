//! Pictures drawn on the server as inline SVG (the pages' content security policy allows no
//! script to draw them and no inline style): the odontogram of the treatment form and the
//! dental chart, and the report pages' charts.

pub mod charts;
pub mod odontogram;
