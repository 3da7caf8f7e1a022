// The layer boundaries, checked by `npm run lint:boundaries` (part of `npm test`):
// - services never import each other; shared never imports a service;
// - outside shared, shared is reached only through its subpath exports (a folder's index.ts, by
//   package name), and a service only through the files its package.json exports;
// - inside a service, a request walks one way: api / events → services → repositories, providers
//   and domain. Repositories and providers implement the ports in services/ports; the domain imports
//   nothing of the service outside itself; only main.ts and tests see the composition root.
const SERVICES = ['orderservice', 'inventoryservice', 'notificationservice'];
const ANY_SERVICE = `^(${SERVICES.join('|')})/`;

/** What each service's package.json exports: the only files of a service that code outside it may import. */
const SERVICE_EXPORTS = 'src/(metrics|api/openapi|api/requestSchemas)\\.ts$';

const perService = (name, build) => SERVICES.map((service) => ({ name: `${name} (${service})`, severity: 'error', ...build(service) }));

module.exports = {
  forbidden: [
    {
      name: 'no-service-imports-another-service',
      comment: 'A service talks to another over Kafka or HTTP, never by importing its code.',
      severity: 'error',
      from: { path: ANY_SERVICE },
      to: { path: ANY_SERVICE, pathNot: '^$1/' },
    },
    {
      name: 'shared-never-imports-a-service',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: ANY_SERVICE },
    },
    {
      name: 'shared-only-through-its-doors',
      comment: 'Import @orderplatform/shared/<door> (shared/package.json "exports"), not a file inside shared/src.',
      severity: 'error',
      from: { pathNot: '^shared/' },
      to: { path: '^shared/src/', pathNot: '^shared/src/[^/]+/index\\.ts$' },
    },
    {
      name: 'shared-by-package-name',
      comment: 'A relative path into shared (../shared/src/…) bypasses its exports: import @orderplatform/shared/<door>.',
      severity: 'error',
      from: { pathNot: '^shared/' },
      to: { path: '^shared/', dependencyTypes: ['local'], dependencyTypesNot: ['aliased'] },
    },
    ...perService('a-service-only-through-its-exports', (service) => ({
      comment: `Outside ${service}, import @orderplatform/${service}/<export> (its package.json "exports"), not its src/.`,
      from: { pathNot: `^${service}/` },
      to: { path: `^${service}/`, pathNot: `^${service}/${SERVICE_EXPORTS}` },
    })),
    ...perService('a-service-by-package-name', (service) => ({
      comment: `A relative path into ${service} bypasses its exports: import @orderplatform/${service}/<export>.`,
      from: { pathNot: `^${service}/` },
      to: { path: `^${service}/`, dependencyTypes: ['local'], dependencyTypesNot: ['aliased'] },
    })),
    {
      name: 'inner-layers-never-import-api-or-events',
      comment:
        'Routes, controllers and Kafka handlers/publishers are the outer layer: services, repositories, providers and the domain never import them.',
      severity: 'error',
      from: { path: `${ANY_SERVICE}src/(services|repositories|providers|domain)/` },
      to: { path: '^$1/src/(api|events)/' },
    },
    {
      name: 'services-use-ports-not-adapters',
      comment: 'A service class gets its repository or provider through a port (services/ports) and DI, never the implementation.',
      severity: 'error',
      from: { path: `${ANY_SERVICE}src/services/` },
      to: { path: '^$1/src/(repositories|providers)/' },
    },
    {
      name: 'adapters-never-import-services',
      comment: 'Repositories and providers implement the ports in services/ports; the service classes above them are not theirs to import.',
      severity: 'error',
      from: { path: `${ANY_SERVICE}src/(repositories|providers)/` },
      to: { path: '^$1/src/services/', pathNot: '^$1/src/services/ports/' },
    },
    {
      name: 'domain-imports-nothing-outside-the-domain',
      severity: 'error',
      from: { path: `${ANY_SERVICE}src/domain/` },
      to: { path: '^$1/src/', pathNot: '^$1/src/domain/' },
    },
    {
      name: 'only-main-sees-the-composition-root',
      severity: 'error',
      from: { path: `${ANY_SERVICE}src/(api|events|services|repositories|providers|domain)/` },
      to: { path: '^$1/src/(main|container|createService)\\.ts$' },
    },
    {
      name: 'src-never-imports-tests',
      severity: 'error',
      from: { path: `^(shared|${SERVICES.join('|')})/src/` },
      to: { path: '/test/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.cache|results|coverage)/' },
    // Workspace packages resolve through their package.json "exports" to the real files (not the
    // node_modules symlink), so a rule sees which file of which package is imported.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    skipAnalysisNotInRules: true,
  },
};
