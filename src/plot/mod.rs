//! `simulate plot`: a scenario's plan, or a finished run's report, as one image of
//! panels. Each panel is drawn as plain SVG by `chart` (axes with round ticks, a legend
//! that wraps inside the panel, one bar per camera); `scenario` and `report` say what
//! the panels show. The panels are placed in one SVG document, and a PNG is rendered
//! from that SVG by resvg with DejaVu Sans built in, so no system font is needed and
//! both formats show the same picture.
//!
//! Styling survives greyscale printing: what was planned or measured is solid (a second
//! measured series dotted), what theory expects is dashed, in the colour of its stream.

mod chart;
mod report;
mod scenario;
mod ticks;

use std::path::Path;

use crate::error::Error;
use crate::report::Report;
use crate::scenario::Scenario;
use crate::text::io_reason;

pub use chart::WIDTH;

/// The plan of `scenario` as an SVG image: events per second over time per stream with
/// the rate its profile expects, for entity streams whose cameras have zones each zone's
/// occupancy over time, each stream's gaps against its distribution's density, and
/// events per camera.
pub fn scenario_svg(scenario: &Scenario) -> Result<String, String> {
    let (panels, height) = scenario::panels(scenario);
    Ok(document(&panels, height))
}

/// A finished run's report as an SVG image: pacing lateness and delivery latency over
/// time (mean and largest per step) and as histograms.
pub fn report_svg(report: &Report) -> Result<String, String> {
    let (panels, height) = report::panels(report);
    Ok(document(&panels, height))
}

/// The panels, placed, in one SVG document on a white ground.
fn document(panels: &[String], height: f64) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"DejaVu Sans, sans-serif\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    for panel in panels {
        out.push_str(panel);
    }
    out.push_str("</svg>\n");
    out
}

/// Where `simulate plot` writes, and in which format: chosen by the extension.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Image<'p> {
    path: &'p Path,
    png: bool,
}

impl<'p> Image<'p> {
    /// The image at `path`: `.svg` or `.png` (any case); another extension is a usage
    /// error.
    pub(crate) fn of(path: &'p Path) -> Result<Image<'p>, Error> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let png = match extension.as_deref() {
            Some("svg") => false,
            Some("png") => true,
            _ => {
                return Err(Error::Usage(format!(
                    "--output {}: the image format is chosen by the extension: .svg or .png",
                    path.display()
                )));
            }
        };
        Ok(Image { path, png })
    }

    /// Writes the image drawn as `svg`, converted to PNG if that is its format.
    pub(crate) fn write(&self, svg: &str) -> Result<(), Error> {
        let png;
        let bytes = if self.png {
            png = self::png(svg).map_err(Error::Runtime)?;
            &png[..]
        } else {
            svg.as_bytes()
        };
        std::fs::write(self.path, bytes).map_err(|e| {
            Error::Runtime(format!(
                "cannot write {}: {}",
                self.path.display(),
                io_reason(&e, "no such directory")
            ))
        })
    }
}

/// The PNG of an SVG image drawn by this module, at its own size.
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    let mut options = resvg::usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_font_data(dejavu::sans::regular().to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let tree = resvg::usvg::Tree::from_str(svg, &options)
        .map_err(|e| format!("cannot read the SVG back: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or("the image has no area")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode the PNG: {e}"))
}
