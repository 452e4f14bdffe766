//! The outlines of Greater Manchester's ten boroughs, as SVG paths for the map, built once at
//! start from the GeoJSON beside this file (see `gm-boroughs.LICENCE.md` for its licence and
//! the attribution shown with the map).
//!
//! The outlines are projected as the data's README says (x = (lon − lon₀) · cos 53.5°,
//! y = −(lat − lat₀)), scaled to the drawing and rounded to its grid. Then they are simplified
//! without opening gaps between boroughs: each ring is cut at its junctions (points with other
//! than two neighbours: where three boroughs meet, or a border meets the county's edge), and
//! each piece between two junctions is simplified once (Douglas–Peucker, always from the same
//! end), so the two boroughs either side of a border keep the same points.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::accounts::Borough;

static GEOJSON: &str = include_str!("gm-boroughs.geojson");

/// The drawing's width in its own units; its height follows the outlines.
pub const WIDTH: i32 = 800;
/// Space around the outlines, in the drawing's units.
const MARGIN: f64 = 6.0;
/// How far (in the drawing's units) a simplified border may stray from the real one.
const TOLERANCE: f64 = 1.0;

/// One borough as the map draws it.
#[derive(Debug, Clone)]
pub struct Outline {
    pub borough: Borough,
    /// The SVG path data, in relative coordinates.
    pub path: String,
    /// Where its label goes (the middle of its first line).
    pub label: (i32, i32),
    /// Points kept, for measuring.
    pub points: usize,
}

/// The ten boroughs, in the order of [`Borough::ALL`].
#[derive(Debug, Clone)]
pub struct Outlines {
    pub width: i32,
    pub height: i32,
    pub boroughs: Vec<Outline>,
}

/// Built on first use and kept.
pub fn outlines() -> &'static Outlines {
    static OUTLINES: LazyLock<Outlines> =
        LazyLock::new(|| build(GEOJSON).expect("the borough outlines shipped with SPOT read"));
    &OUTLINES
}

/// Where each label sits, in longitude and latitude: the middle of the borough, except where
/// that is crowded (Manchester is long and thin; its label goes where it is widest).
fn label_position(borough: Borough) -> (f64, f64) {
    use Borough::*;
    match borough {
        Bolton => (-2.467, 53.585),
        Bury => (-2.313, 53.592),
        Manchester => (-2.205, 53.505),
        Oldham => (-2.051, 53.556),
        Rochdale => (-2.158, 53.621),
        Salford => (-2.372, 53.497),
        Stockport => (-2.128, 53.398),
        Tameside => (-2.063, 53.481),
        Trafford => (-2.355, 53.423),
        Wigan => (-2.59, 53.528),
    }
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    slug: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

impl Geometry {
    fn rings(self) -> Vec<Vec<[f64; 2]>> {
        match self {
            Geometry::Polygon(rings) => rings,
            Geometry::MultiPolygon(polygons) => polygons.into_iter().flatten().collect(),
        }
    }
}

type Point = (i32, i32);

/// The projection onto the drawing's grid.
struct Projection {
    lon0: f64,
    lat0: f64,
    scale: f64,
}

impl Projection {
    fn cos() -> f64 {
        53.5_f64.to_radians().cos()
    }

    fn fitting(rings: &[Vec<[f64; 2]>]) -> (Self, i32) {
        let all = rings.iter().flatten();
        let (mut west, mut east) = (f64::MAX, f64::MIN);
        let (mut south, mut north) = (f64::MAX, f64::MIN);
        for [lon, lat] in all {
            west = west.min(*lon);
            east = east.max(*lon);
            south = south.min(*lat);
            north = north.max(*lat);
        }
        let scale = (f64::from(WIDTH) - 2.0 * MARGIN) / ((east - west) * Self::cos());
        let height = ((north - south) * scale + 2.0 * MARGIN).ceil() as i32;
        (
            Self {
                lon0: west,
                lat0: north,
                scale,
            },
            height,
        )
    }

    fn point(&self, lon: f64, lat: f64) -> Point {
        let x = (lon - self.lon0) * Self::cos() * self.scale + MARGIN;
        let y = (self.lat0 - lat) * self.scale + MARGIN;
        (x.round() as i32, y.round() as i32)
    }
}

fn build(geojson: &str) -> Result<Outlines, String> {
    let collection: Collection = serde_json::from_str(geojson).map_err(|e| e.to_string())?;
    let mut shapes: Vec<(Borough, Vec<Vec<[f64; 2]>>)> = collection
        .features
        .into_iter()
        .map(|feature| {
            Borough::from_slug(&feature.properties.slug)
                .map(|borough| (borough, feature.geometry.rings()))
                .ok_or_else(|| format!("unknown borough {}", feature.properties.slug))
        })
        .collect::<Result<_, _>>()?;
    shapes.sort_by_key(|(borough, _)| *borough);
    if shapes.iter().map(|(b, _)| *b).collect::<Vec<_>>() != Borough::ALL {
        return Err("the outlines are not the ten boroughs".into());
    }
    let every_ring: Vec<Vec<[f64; 2]>> = shapes.iter().flat_map(|(_, r)| r.clone()).collect();
    let (projection, height) = Projection::fitting(&every_ring);
    let projected: Vec<(Borough, Vec<Vec<Point>>)> = shapes
        .into_iter()
        .map(|(borough, rings)| {
            let rings = rings
                .into_iter()
                .map(|ring| on_grid(&projection, &ring))
                .collect();
            (borough, rings)
        })
        .collect();
    let junctions = junctions(projected.iter().flat_map(|(_, rings)| rings.iter()));
    let boroughs = projected
        .into_iter()
        .map(|(borough, rings)| {
            let kept: Vec<Vec<Point>> = rings
                .iter()
                .map(|ring| simplify_ring(ring, &junctions))
                .collect();
            let (lon, lat) = label_position(borough);
            Outline {
                borough,
                points: kept.iter().map(Vec::len).sum(),
                path: path_data(&kept),
                label: projection.point(lon, lat),
            }
        })
        .collect();
    Ok(Outlines {
        width: WIDTH,
        height,
        boroughs,
    })
}

/// A ring on the grid, without repeated points and without its closing point.
fn on_grid(projection: &Projection, ring: &[[f64; 2]]) -> Vec<Point> {
    let mut points: Vec<Point> = Vec::with_capacity(ring.len());
    for [lon, lat] in ring {
        let point = projection.point(*lon, *lat);
        if points.last() != Some(&point) {
            points.push(point);
        }
    }
    while points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    points
}

/// Points with other than two distinct neighbours over all rings.
fn junctions<'a>(rings: impl Iterator<Item = &'a Vec<Point>>) -> HashSet<Point> {
    let mut neighbours: HashMap<Point, HashSet<Point>> = HashMap::new();
    for ring in rings {
        let n = ring.len();
        for (i, point) in ring.iter().enumerate() {
            let entry = neighbours.entry(*point).or_default();
            entry.insert(ring[(i + n - 1) % n]);
            entry.insert(ring[(i + 1) % n]);
        }
    }
    neighbours
        .into_iter()
        .filter(|(_, around)| around.len() != 2)
        .map(|(point, _)| point)
        .collect()
}

/// A ring simplified piece by piece between its junctions.
fn simplify_ring(ring: &[Point], junctions: &HashSet<Point>) -> Vec<Point> {
    let n = ring.len();
    let Some(start) = ring.iter().position(|p| junctions.contains(p)) else {
        // An island: nothing to share, so any point will do as the ends.
        let mut closed = ring.to_vec();
        closed.push(ring[0]);
        let mut kept = canonical_simplify(&closed);
        kept.pop();
        return kept;
    };
    let mut kept = Vec::new();
    let mut piece = vec![ring[start]];
    for step in 1..=n {
        let point = ring[(start + step) % n];
        piece.push(point);
        if junctions.contains(&point) {
            let simplified = canonical_simplify(&piece);
            kept.extend_from_slice(&simplified[..simplified.len() - 1]);
            piece = vec![point];
        }
    }
    kept
}

/// Douglas–Peucker from whichever end comes first, so a border read either way keeps the
/// same points.
fn canonical_simplify(piece: &[Point]) -> Vec<Point> {
    let reversed: Vec<Point> = piece.iter().rev().copied().collect();
    if reversed.as_slice() < piece {
        let mut kept = douglas_peucker(&reversed);
        kept.reverse();
        kept
    } else {
        douglas_peucker(piece)
    }
}

fn douglas_peucker(points: &[Point]) -> Vec<Point> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let (mut farthest, mut distance) = (first, 0.0);
        for i in first + 1..last {
            let d = distance_to_segment(points[i], points[first], points[last]);
            if d > distance {
                (farthest, distance) = (i, d);
            }
        }
        if distance > TOLERANCE {
            keep[farthest] = true;
            stack.push((first, farthest));
            stack.push((farthest, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| *p)
        .collect()
}

fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (px, py) = (f64::from(p.0), f64::from(p.1));
    let (ax, ay) = (f64::from(a.0), f64::from(a.1));
    let (bx, by) = (f64::from(b.0), f64::from(b.1));
    let (dx, dy) = (bx - ax, by - ay);
    let length = dx * dx + dy * dy;
    let t = if length == 0.0 {
        0.0
    } else {
        (((px - ax) * dx + (py - ay) * dy) / length).clamp(0.0, 1.0)
    };
    ((px - ax - t * dx).powi(2) + (py - ay - t * dy).powi(2)).sqrt()
}

/// "M x y l dx dy … z" for each ring: relative steps are short.
fn path_data(rings: &[Vec<Point>]) -> String {
    let mut data = String::new();
    for ring in rings.iter().filter(|ring| ring.len() > 2) {
        let (mut x, mut y) = ring[0];
        let _ = write!(data, "M{x} {y}l");
        for (i, &(nx, ny)) in ring[1..].iter().enumerate() {
            let (dx, dy) = (nx - x, ny - y);
            // A minus sign separates numbers as well as a space does.
            if i > 0 && dx >= 0 {
                data.push(' ');
            }
            let _ = write!(data, "{dx}");
            if dy >= 0 {
                data.push(' ');
            }
            let _ = write!(data, "{dy}");
            (x, y) = (nx, ny);
        }
        data.push('z');
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The points of a path, made absolute again.
    fn points_of(path: &str) -> Vec<Point> {
        let mut points = Vec::new();
        for ring in path.split('M').filter(|r| !r.is_empty()) {
            let ring = ring.trim_end_matches('z');
            let (start, steps) = ring.split_once('l').expect("a relative line");
            let start: Vec<i32> = start.split(' ').map(|n| n.parse().unwrap()).collect();
            let (mut x, mut y) = (start[0], start[1]);
            points.push((x, y));
            let numbers: Vec<i32> = steps
                .replace('-', " -")
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            for step in numbers.chunks(2) {
                (x, y) = (x + step[0], y + step[1]);
                points.push((x, y));
            }
        }
        points
    }

    fn inside(point: Point, ring: &[Point]) -> bool {
        let (px, py) = (f64::from(point.0), f64::from(point.1));
        let mut inside = false;
        for i in 0..ring.len() {
            let (ax, ay) = (f64::from(ring[i].0), f64::from(ring[i].1));
            let j = (i + ring.len() - 1) % ring.len();
            let (bx, by) = (f64::from(ring[j].0), f64::from(ring[j].1));
            if (ay > py) != (by > py) && px < (bx - ax) * (py - ay) / (by - ay) + ax {
                inside = !inside;
            }
        }
        inside
    }

    #[test]
    fn ten_boroughs_small_enough_to_inline() {
        let outlines = outlines();
        assert_eq!(outlines.boroughs.len(), 10);
        assert_eq!(outlines.width, WIDTH);
        assert!((500..700).contains(&outlines.height), "{}", outlines.height);
        let bytes: usize = outlines.boroughs.iter().map(|o| o.path.len()).sum();
        let points: usize = outlines.boroughs.iter().map(|o| o.points).sum();
        assert!(bytes < 16_000, "{bytes} bytes of paths");
        assert!((600..3000).contains(&points), "{points} points");
        for outline in &outlines.boroughs {
            assert!(outline.points > 20, "{:?}", outline.borough);
        }
    }

    #[test]
    fn paths_read_back_to_the_kept_points() {
        let path = path_data(&[vec![(10, 10), (12, 8), (12, 20), (5, 20)]]);
        assert_eq!(path, "M10 10l2-2 0 12-7 0z");
        assert_eq!(points_of(&path), [(10, 10), (12, 8), (12, 20), (5, 20)]);
    }

    #[test]
    fn each_label_sits_inside_its_borough() {
        for outline in &outlines().boroughs {
            let ring = points_of(&outline.path);
            assert!(
                inside(outline.label, &ring),
                "{:?} label {:?}",
                outline.borough,
                outline.label
            );
        }
    }

    #[test]
    fn neighbours_keep_the_same_border_points() {
        // A point one borough keeps that lies on another's original outline is kept by that
        // one too: simplifying a border never opens a gap along it.
        let collection: Collection = serde_json::from_str(GEOJSON).unwrap();
        let rings: Vec<Vec<[f64; 2]>> = collection
            .features
            .into_iter()
            .flat_map(|f| f.geometry.rings())
            .collect();
        let (projection, _) = Projection::fitting(&rings);
        let originals: Vec<HashSet<Point>> = rings
            .iter()
            .map(|r| on_grid(&projection, r).into_iter().collect())
            .collect();
        let mut slugs: Vec<Borough> = Vec::new();
        let collection: Collection = serde_json::from_str(GEOJSON).unwrap();
        for feature in collection.features {
            slugs.push(Borough::from_slug(&feature.properties.slug).unwrap());
        }
        let kept: Vec<HashSet<Point>> = slugs
            .iter()
            .map(|b| {
                let outline = outlines()
                    .boroughs
                    .iter()
                    .find(|o| o.borough == *b)
                    .unwrap();
                points_of(&outline.path).into_iter().collect()
            })
            .collect();
        let mut shared = 0;
        for (a, kept_a) in kept.iter().enumerate() {
            for (b, original_b) in originals.iter().enumerate() {
                if a == b {
                    continue;
                }
                for point in kept_a.intersection(original_b) {
                    shared += 1;
                    assert!(
                        kept[b].contains(point),
                        "{:?} keeps {point:?}, {:?} does not",
                        slugs[a],
                        slugs[b]
                    );
                }
            }
        }
        assert!(shared > 100, "borders are shared: {shared}");
    }
}
