//! Charts: drawing only. Each function is generic over plotters' `DrawingBackend` (a canvas in the
//! app, SVG in native tests) and draws figures the engine already computed; no model maths here.
//!
//! Every number on a chart goes through the engine's ISMP formatter: plotters' default labels
//! print "2.0", which ISMP forbids.

pub mod concentration;
pub mod reservoir;
pub mod timeline;

use plotters::style::RGBColor;

/// Colours, shared by name with the CSS custom properties in `style/main.css`.
pub mod palette {
    use super::RGBColor;
    /// `--ink`: text and axes.
    pub const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
    /// `--grid`: light grid lines.
    pub const GRID: RGBColor = RGBColor(0xe5, 0xe7, 0xeb);
    /// `--reservoir`: the reservoir volume line.
    pub const RESERVOIR: RGBColor = RGBColor(0x1d, 0x4e, 0xd8);
    /// `--alarm`: the low-reservoir alarm line and marker.
    pub const ALARM: RGBColor = RGBColor(0xb4, 0x53, 0x09);
    /// `--empty`: the empty marker.
    pub const EMPTY: RGBColor = RGBColor(0xb9, 0x1c, 0x1c);
    /// `--refill`: the refill-by marker.
    pub const REFILL: RGBColor = RGBColor(0x15, 0x80, 0x3d);
    /// `--typical`: the typical patient-bolus scenario.
    pub const TYPICAL: RGBColor = RGBColor(0x0e, 0x74, 0x90);
    /// `--all-allowed`: the all-allowed patient-bolus scenario.
    pub const ALL_ALLOWED: RGBColor = RGBColor(0x6d, 0x28, 0xd9);
    /// `--band`: the flow-accuracy band.
    pub const BAND: RGBColor = RGBColor(0x93, 0xc5, 0xfd);
    /// `--dose`: intrathecal daily doses on the therapy timeline.
    pub const DOSE: RGBColor = RGBColor(0x7c, 0x2d, 0x12);
}
