"""Points and radii of Ukraine's 27 first-level units for gazetteer.csv.

Reads ../zones/ukraine_oblasts_minregion_2020.geojson and prints, per unit,
a point inside it and the distance from that point to its farthest boundary
vertex, as the gazetteer's lon,lat,radius_m columns:

- the point is the unit's area centroid, rounded to 0.01 degrees, when that
  lies inside the unit at least 15 km from its border; otherwise (a unit
  wrapped round another, such as Kyiv oblast round Kyiv, or a curved one)
  the grid point, 0.01 degrees apart, farthest from the border (the "pole
  of inaccessibility");
- Crimea (the Autonomous Republic with Sevastopol) and Donbas (Donetsk and
  Luhansk oblasts) are computed the same way from their units together;
- Kyiv and Sevastopol, cities with the status of a region, are listed as
  cities: their point is the city centre (Maidan Nezalezhnosti; Nakhimov
  Square), given below;
- radius_m is the great-circle distance from the rounded point to the
  farthest boundary vertex, rounded up to the next kilometre, so that every
  part of the unit lies within radius_m of the point.

Standard library only: python3 oblasts.py
"""

import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "zones", "ukraine_oblasts_minregion_2020.geojson")
R = 6371008.8  # mean Earth radius, metres
CITY_CENTRES = {"Місто Київ": (30.52, 50.45), "Місто Севастополь": (33.52, 44.60)}
# Places made of several units: the Crimean peninsula (the gazetteer's
# Crimea row) and Donbas (an area).
UNIONS = {
    "Крим і Севастополь": ["Автономна Республіка Крим", "Місто Севастополь"],
    "Донбас": ["Донецька область", "Луганська область"],
}


def haversine(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1, math.sqrt(a)))


def polygons(geom):
    """The polygons of a Polygon or MultiPolygon, each a list of rings."""
    return geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]


def inside(rs, x, y):
    """Even-odd rule over every ring (holes included)."""
    c = False
    for ring in rs:
        n = len(ring)
        for i in range(n):
            x1, y1 = ring[i][0], ring[i][1]
            x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                c = not c
    return c


def ring_moments(ring, k):
    """Signed area and first moments of a ring, x scaled by k."""
    a = cx = cy = 0.0
    for i in range(len(ring) - 1):
        x1, y1 = ring[i][0] * k, ring[i][1]
        x2, y2 = ring[i + 1][0] * k, ring[i + 1][1]
        cr = x1 * y2 - x2 * y1
        a += cr
        cx += (x1 + x2) * cr
        cy += (y1 + y2) * cr
    return a, cx, cy


def centroid(polys):
    """Area centroid in a local equirectangular projection: outer rings add,
    holes subtract, whatever the rings' orientation."""
    pts = [p for poly in polys for r in poly for p in r]
    k = math.cos(math.radians(sum(p[1] for p in pts) / len(pts)))
    sa = sx = sy = 0.0
    for poly in polys:
        for i, ring in enumerate(poly):
            a, cx, cy = ring_moments(ring, k)
            sign = (1 if a > 0 else -1) * (1 if i == 0 else -1)
            sa += sign * a
            sx += sign * cx
            sy += sign * cy
    return sx / (3 * sa) / k, sy / (3 * sa)


def border_distance(verts, x, y):
    return min(haversine(x, y, vx, vy) for vx, vy in verts)


def pole(rs, verts):
    xs = [v[0] for v in verts]
    ys = [v[1] for v in verts]
    best, bx, by = -1, None, None
    step = 0.05
    sparse = verts[::3]
    x = min(xs)
    while x <= max(xs):
        y = min(ys)
        while y <= max(ys):
            if inside(rs, x, y):
                d = border_distance(sparse, x, y)
                if d > best:
                    best, bx, by = d, x, y
            y += step
        x += step
    # refine on a 0.01 degree grid round the best coarse point
    cx, cy = round(bx, 2), round(by, 2)
    best = -1
    for i in range(-6, 7):
        for j in range(-6, 7):
            x, y = round(cx + i * 0.01, 2), round(cy + j * 0.01, 2)
            if inside(rs, x, y):
                d = border_distance(verts, x, y)
                if d > best:
                    best, bx, by = d, x, y
    return bx, by


def main():
    with open(SRC, encoding="utf-8") as f:
        doc = json.load(f)
    print("ADMIN_1,lon,lat,radius_m,how")
    units = [(ft["properties"]["ADMIN_1"], polygons(ft["geometry"])) for ft in doc["features"]]
    byname = dict(units)
    for name, parts in UNIONS.items():
        units.append((name, [poly for p in parts for poly in byname[p]]))
    for name, polys in units:
        rs = [r for poly in polys for r in poly]
        verts = [(p[0], p[1]) for r in rs for p in r]
        x, y = centroid(polys)
        x, y = round(x, 2), round(y, 2)
        how = "centroid"
        if name in CITY_CENTRES:
            x, y = CITY_CENTRES[name]
            how = "city centre"
            assert inside(rs, x, y), name
        elif not inside(rs, x, y) or (name not in UNIONS and border_distance(verts, x, y) < 15000):
            # (a union's internal lines are not its border, so only a
            # centroid outside it is replaced)
            x, y = pole(rs, verts)
            how = "pole"
        far = max(haversine(x, y, vx, vy) for vx, vy in verts)
        print("%s,%.2f,%.2f,%d,%s" % (name, x, y, math.ceil(far / 1000) * 1000, how))

if __name__ == "__main__":
    main()
