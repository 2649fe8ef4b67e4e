// A real, certified OpenID provider (oidc-provider) for the eID sign-in tests
// (tests/oidc_provider.py, tests/test_external_sign_in.py): one client, test people carrying a
// national id claim the way island.is does (`nationalId`), and oidc-provider's own login and
// consent pages (devInteractions). Development and tests only.
//
// Usage: PORT=… REDIRECT_URIS=a,b node clients/oidc/provider.mjs
// Prints "listening <issuer>" once it answers. Test switches (GET, answer 204), each a fault
// a real provider or a network in between can have:
//   /test/reset            everything back to normal
//   /test/foreign-signer   sign ID tokens with a key that has the published key's kid but
//                          other material, while the JWKS still publishes the real key
//   /test/rotate-keys      sign with a new key (new kid) from now on, and publish only it
//   /test/clock/<seconds>  run the provider's clock this far off (negative: in the past)
//   /test/nonce/<value>    replace the nonce of the next authorization requests
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);

function signingKey(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

const firstKey = signingKey('key-1');
const rotatedKey = signingKey('key-2');
const foreignKey = signingKey('key-1');

const people = {
  'jon': { name: 'Jón Jónsson', nationalId: '0101302989' },
  'gudrun': { name: 'Guðrún Helgadóttir', nationalId: '1203894569' },
};

const realNow = Date.now;
let clockOffset = 0;
Date.now = () => realNow() + clockOffset;
let foreignSigner = false;
let rotated = false;
let nonceOverride = null;

function configuration(keys) {
  return {
    clients: [{
      client_id: 'therapy-hub',
      client_secret: 'therapy-hub-secret',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    jwks: { keys },
    scopes: ['openid', 'profile', 'national_id'],
    claims: { openid: ['sub'], profile: ['name'], national_id: ['nationalId'] },
    pkce: { required: () => true },
    cookies: { keys: ['therapy-hub-test-cookies'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() { return { sub: id, ...(people[id] || {}) }; },
      };
    },
  };
}

const providers = {
  first: new Provider(issuer, configuration([firstKey])),
  rotated: new Provider(issuer, configuration([rotatedKey])),
  foreign: new Provider(issuer, configuration([foreignKey])),
};
const handlers = Object.fromEntries(
  Object.entries(providers).map(([name, provider]) => [name, provider.callback()]));

function control(request, response) {
  const [, , action, value] = request.url.split('/');
  if (action === 'reset') {
    foreignSigner = false; clockOffset = 0; nonceOverride = null;
  } else if (action === 'foreign-signer') {
    foreignSigner = true;
  } else if (action === 'rotate-keys') {
    rotated = true;
  } else if (action === 'clock') {
    clockOffset = Number(value) * 1000;
  } else if (action === 'nonce') {
    nonceOverride = decodeURIComponent(value);
  } else {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(204).end();
}

createServer((request, response) => {
  if (request.url.startsWith('/test/')) {
    control(request, response);
    return;
  }
  if (nonceOverride !== null && request.url.startsWith('/auth?')) {
    const url = new URL(request.url, issuer);
    url.searchParams.set('nonce', nonceOverride);
    request.url = `${url.pathname}${url.search}`;
  }
  const published = rotated ? 'rotated' : 'first';
  const signing = foreignSigner && request.url !== '/jwks' ? 'foreign' : published;
  handlers[signing](request, response);
}).listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
