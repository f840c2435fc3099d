//! Great-circle distance.

use crate::model::GeoPoint;

/// Mean Earth radius in km (IUGG), the usual radius for haversine.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance between two points in km (haversine formula).
///
/// Exact for a sphere; within about 0.5 % of the ellipsoidal distance, which is far finer than the
/// coarse locations facilities are recorded with. Inputs are assumed validated (finite, in range).
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_phi = phi2 - phi1;
    let d_lambda = (b.lon - a.lon).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    // Rounding can push h a hair outside [0, 1]; clamp so asin never sees an invalid argument.
    2.0 * EARTH_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn known_distances() {
        let london = GeoPoint::new(51.5074, -0.1278);
        let manchester = GeoPoint::new(53.4808, -2.2426);
        let edinburgh = GeoPoint::new(55.9533, -3.1883);
        assert!(close(haversine_km(london, manchester), 262.0, 2.0));
        assert!(close(haversine_km(london, edinburgh), 534.0, 3.0));
        assert_eq!(haversine_km(london, london), 0.0);
    }

    #[test]
    fn symmetric_and_antipodal() {
        let a = GeoPoint::new(10.0, 20.0);
        let b = GeoPoint::new(-10.0, -160.0);
        assert_eq!(haversine_km(a, b), haversine_km(b, a));
        let half = std::f64::consts::PI * EARTH_RADIUS_KM;
        assert!(close(haversine_km(a, b), half, 0.01));
    }
}
