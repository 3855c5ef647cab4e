//! The modelled CSF concentration: the exact linear solver, catheter transit and refill mixing,
//! and a plan's series. **A model estimate of mean CSF concentration, not a measurement.**

pub mod model;
pub mod pk;
pub mod series;
pub mod transit;
