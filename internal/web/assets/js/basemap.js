// The map's background: thin neutral country outlines (Natural Earth, a
// background only) beneath the agreement's own zones, simplified on the
// server from the stored agreement. No tiles: everything is this site's.
import { h, t, nameOf } from './common.js';

const L = window.L;
const staticBase = new URL('..', import.meta.url).pathname; // /static/<build>/

const zoneStyles = {
  ukraine: { color: '#1f5fa8', weight: 2, fillColor: '#1f5fa8', fillOpacity: 0.07 },
  crimea: { color: '#6a3d9a', weight: 2, dashArray: '6 4', fillColor: '#6a3d9a', fillOpacity: 0.1 },
  russia: { color: '#a8321f', weight: 1.5, fillColor: '#a8321f', fillOpacity: 0.05 },
  black_sea: { color: '#1f6f9e', weight: 1, fillColor: '#2b7bb9', fillOpacity: 0.16 },
  sea_of_azov: { color: '#1f6f9e', weight: 1, fillColor: '#2b7bb9', fillOpacity: 0.16 },
};
const fallbackColours = ['#2f6db3', '#8c510a', '#01665e', '#762a83', '#b35806'];

function zoneStyle(f, i) {
  const ids = f.properties.zones.map((z) => z.id);
  for (const id of ids) {
    if (zoneStyles[id]) return zoneStyles[id];
    if (id.startsWith('russia')) return zoneStyles.russia;
    if (id.startsWith('ukraine')) return zoneStyles.ukraine;
  }
  const c = fallbackColours[i % fallbackColours.length];
  return { color: c, weight: 1.5, fillColor: c, fillOpacity: 0.08 };
}

function zoneTooltip(f) {
  const el = h('div');
  for (const z of f.properties.zones) {
    el.append(h('div', { class: 'zone-label' }, nameOf(z), ' ', h('span', { class: 'muted' }, `(${z.id})`)));
    if (z.exclude && z.exclude.length) el.append(h('div', { class: 'small' }, t('map.excluding', { Zones: z.exclude.join(', ') })));
  }
  return el;
}

// addBasemap draws the outlines and the zones on map and resolves to the
// number of zone features drawn.
export async function addBasemap(map) {
  for (const [name, z] of [['basemap', 200], ['zones', 300], ['sites', 450]]) {
    map.createPane(name).style.zIndex = String(z);
  }
  map.getPane('basemap').style.pointerEvents = 'none';
  const [countries, zones] = await Promise.all([
    fetch(staticBase + 'basemap/ne_4.1.0_countries_50m_simplified.geojson').then((r) => (r.ok ? r.json() : null)),
    fetch('/map/zones.geojson').then((r) => (r.ok ? r.json() : null)),
  ]);
  if (countries) {
    L.geoJSON(countries, {
      pane: 'basemap',
      interactive: false,
      style: { color: '#8f969c', weight: 0.8, fillColor: '#f4f2ec', fillOpacity: 1 },
    }).addTo(map);
  }
  let n = 0;
  let layer = null;
  if (zones) {
    let i = 0;
    layer = L.geoJSON(zones, {
      pane: 'zones',
      style: (f) => zoneStyle(f, i++),
      onEachFeature: (f, l) => {
        n++;
        l.bindTooltip(zoneTooltip(f), { sticky: true });
      },
    }).addTo(map);
  }
  return { zones: n, layer };
}
