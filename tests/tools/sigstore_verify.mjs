// Verify a Sigstore bundle offline with a plain public key, using
// sigstore-js (@sigstore/verify, @sigstore/bundle, @sigstore/core) as an
// independent peer of scute. Used by tests/e2e (test_sign.py,
// test_sigstore_js.py).
//
//   node sigstore_verify.mjs [OPTIONS] BUNDLE.json PUBKEY.pem [ARTIFACT]
//
// ARTIFACT: the signed bytes of a message-signature bundle (for scute's
// image signatures: the simple-signing payload). A DSSE bundle needs none.
// Options:
//   --ignore-tlog   drop the bundle's transparency-log entries before
//                   verifying (there is no trusted root offline; like
//                   cosign's --insecure-ignore-tlog). Without it a bundle
//                   with tlog entries fails: sigstore-js checks every entry
//                   against the (empty) list of trusted logs, whatever
//                   tlogThreshold says.
//   --ignore-tsa    drop RFC 3161 timestamps likewise (no trusted TSA).
//   --trusted-root FILE  a Sigstore trusted_root.json whose CAs, TSAs and
//                   logs are trusted (instead of none): for the real
//                   vectors that ship theirs.
//   --check-hint    require publicKey.hint == base64(sha256(SPKI DER of PUBKEY)),
//                   the keyed-bundle convention scute follows.
//
// sigstore-js compares a message signature's messageDigest only with the
// tlog entry's body; with no tlog entry it checks just the signature over
// ARTIFACT. This script additionally requires messageDigest ==
// digest(ARTIFACT) so that a bundle whose digest field was altered fails.
//
// Exit 0 printing "OK" on success; 1 printing the error on failure; 2 on
// usage errors or when sigstore-js is not installed.
//
// Module resolution: the packages live outside the checkout, installed by
// scripts/sigstore-js.sh into $SIGSTORE_JS_DIR, else
// ${SCUTE_CACHE:-/var/tmp/scute-cache}/sigstore-js. ESM ignores NODE_PATH,
// so they are loaded with createRequire anchored in that directory.

import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

function usage(msg) {
	process.stderr.write(`sigstore_verify: ${msg}\n` +
		'usage: node sigstore_verify.mjs [--ignore-tlog] [--ignore-tsa] [--check-hint] [--trusted-root FILE] BUNDLE.json PUBKEY.pem [ARTIFACT]\n');
	process.exit(2);
}

const opts = { ignoreTlog: false, ignoreTsa: false, checkHint: false, trustedRoot: null };
const args = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const a = argv[i];
	if (a === '--trusted-root') {
		if (i + 1 >= argv.length) usage('--trusted-root needs a FILE');
		opts.trustedRoot = argv[++i];
	} else if (a === '--ignore-tlog') opts.ignoreTlog = true;
	else if (a === '--ignore-tsa') opts.ignoreTsa = true;
	else if (a === '--check-hint') opts.checkHint = true;
	else if (a.startsWith('--')) usage(`unknown option ${a}`);
	else args.push(a);
}
if (args.length < 2 || args.length > 3) usage('expected BUNDLE PUBKEY [ARTIFACT]');

const dir = process.env.SIGSTORE_JS_DIR ||
	path.join(process.env.SCUTE_CACHE || '/var/tmp/scute-cache', 'sigstore-js');
let verifyLib, bundleLib, specsLib;
try {
	const req = createRequire(path.join(dir, 'package.json'));
	verifyLib = req('@sigstore/verify');
	bundleLib = req('@sigstore/bundle');
	// a dependency of @sigstore/verify: resolve it from there
	specsLib = createRequire(req.resolve('@sigstore/verify'))('@sigstore/protobuf-specs');
} catch (e) {
	process.stderr.write(`sigstore_verify: sigstore-js not installed in ${dir} (scripts/sigstore-js.sh): ${e.message}\n`);
	process.exit(2);
}
const { Verifier, toTrustMaterial, toSignedEntity } = verifyLib;
const { bundleFromJSON } = bundleLib;

function fail(msg) {
	process.stderr.write(`FAIL ${msg}\n`);
	process.exit(1);
}

try {
	const [bundlePath, keyPath, artifactPath] = args;
	const json = JSON.parse(fs.readFileSync(bundlePath, 'utf8'));
	const bundle = bundleFromJSON(json);
	const pem = fs.readFileSync(keyPath, 'utf8');
	const publicKey = crypto.createPublicKey(pem);
	const artifact = artifactPath === undefined ? undefined : fs.readFileSync(artifactPath);

	if (opts.checkHint) {
		const vm = bundle.verificationMaterial.content;
		if (vm.$case !== 'publicKey') fail(`bundle has no publicKey hint (${vm.$case})`);
		const spki = publicKey.export({ type: 'spki', format: 'der' });
		const want = crypto.createHash('sha256').update(spki).digest('base64');
		if (vm.publicKey.hint !== want)
			fail(`key hint ${vm.publicKey.hint} is not base64(sha256(SPKI)) ${want}`);
	}
	if (bundle.content.$case === 'messageSignature') {
		if (artifact === undefined) fail('a message-signature bundle needs ARTIFACT');
		const md = bundle.content.messageSignature.messageDigest;
		if (md) {
			const algs = { 0: 'sha256', 1: 'sha256', 2: 'sha384', 3: 'sha512' };
			const alg = algs[md.algorithm] || 'sha256';
			const got = crypto.createHash(alg).update(artifact).digest();
			if (!got.equals(Buffer.from(md.digest)))
				fail(`messageDigest ${Buffer.from(md.digest).toString('hex')} is not ${alg}(ARTIFACT) ${got.toString('hex')}`);
		}
	}
	if (opts.ignoreTlog) bundle.verificationMaterial.tlogEntries = [];
	if (opts.ignoreTsa && bundle.verificationMaterial.timestampVerificationData)
		bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps = [];

	const root = opts.trustedRoot
		? specsLib.TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(opts.trustedRoot, 'utf8')))
		: { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
	const trust = toTrustMaterial(root,
		(_hint) => ({ publicKey, validFor: () => true }));
	const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
	verifier.verify(toSignedEntity(bundle, artifact));
	process.stdout.write('OK\n');
	process.exit(0);
} catch (e) {
	fail(e && e.message ? `${e.name || 'Error'}: ${e.message}` : String(e));
}
