import { useEffect, useState } from 'react';

/** Routes live in the URL hash so both faces (app:// and the loopback host) need no server routing. */
export type Route =
  | { name: 'cases' }
  | { name: 'case'; caseId: string; tab: string }
  | { name: 'artifact'; caseId: string; artifactId: string; panel: string }
  | { name: 'keys' }
  | { name: 'bundle'; path: string | null };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'case' && parts[1]) {
    if (parts[2] === 'artifact' && parts[3]) return { name: 'artifact', caseId: parts[1], artifactId: parts[3], panel: parts[4] ?? 'findings' };
    return { name: 'case', caseId: parts[1], tab: parts[2] ?? 'artifacts' };
  }
  if (parts[0] === 'keys') return { name: 'keys' };
  if (parts[0] === 'bundle') return { name: 'bundle', path: parts[1] ?? null };
  return { name: 'cases' };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'cases': return '#/';
    case 'case': return `#/case/${encodeURIComponent(route.caseId)}/${route.tab}`;
    case 'artifact': return `#/case/${encodeURIComponent(route.caseId)}/artifact/${encodeURIComponent(route.artifactId)}/${route.panel}`;
    case 'keys': return '#/keys';
    case 'bundle': return route.path ? `#/bundle/${encodeURIComponent(route.path)}` : '#/bundle';
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
