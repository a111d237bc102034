// A Vendure shop on 127.0.0.1 for shopagent's API driver: SQLite through sql.js (pure
// JavaScript, no native build), pictures through Vendure's asset server, and a first start
// that seeds what a shop needs before it can take an order (a zone and countries, a tax rate,
// a shipping method with the manual fulfilment handler, a payment method).
//
// Usage: node server.js --data FOLDER [--port N] [--admin USER] [--password PASS]
// Prints "Vendure shop running at http://127.0.0.1:PORT" once the Admin API
// (/admin-api) and the Shop API (/shop-api) answer. Port 0 picks a free port.
'use strict';

process.env.VENDURE_DISABLE_TELEMETRY = 'true'; // the shop never reaches the internet

const fs = require('fs');
const path = require('path');

function option(name, fallback) {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const data = option('data');
if (!data) {
    console.error('Error: no data folder; run node server.js --data FOLDER [--port N]');
    process.exit(2);
}
const port = Number(option('port', '0'));
const admin = option('admin', 'superadmin');
const password = option('password', 'vendure-admin');

const {
    bootstrap, DefaultLogger, LogLevel, LanguageCode, PaymentMethodHandler, Populator,
} = require('@vendure/core');
const { AssetServerPlugin } = require('@vendure/asset-server-plugin');

// Settles at once, and so do its refunds: a stand-in for a card gateway that takes and
// gives back money, so orders can be paid through the Shop API as a buyer would.
const sandboxPayment = new PaymentMethodHandler({
    code: 'sandbox-payment',
    description: [{ languageCode: LanguageCode.en, value: 'Sandbox card: settles at once' }],
    args: {},
    createPayment: (ctx, order, amount, args, metadata) => ({
        amount, state: 'Settled', transactionId: `pay-${order.code}-${Date.now()}`, metadata: metadata || {},
    }),
    settlePayment: () => ({ success: true }),
    cancelPayment: () => ({ success: true }),
    createRefund: (ctx, input, amount, order, payment) => ({
        state: 'Settled', transactionId: `refund-${payment.id}-${Date.now()}`,
    }),
});

const initialData = {
    defaultLanguage: LanguageCode.en,
    defaultZone: 'Europe',
    countries: [
        { name: 'United Kingdom', code: 'GB', zone: 'Europe' },
        { name: 'Germany', code: 'DE', zone: 'Europe' },
        { name: 'France', code: 'FR', zone: 'Europe' },
        { name: 'United States of America', code: 'US', zone: 'Americas' },
        { name: 'China', code: 'CN', zone: 'Asia' },
    ],
    // Prices are shown as they are charged: no tax on top in this test shop.
    taxRates: [{ name: 'Standard Tax', percentage: 0 }],
    shippingMethods: [{ name: 'Standard Shipping', price: 500 }],
    paymentMethods: [{ name: 'Sandbox card', handler: { code: sandboxPayment.code, arguments: [] } }],
    collections: [],
};

async function main() {
    fs.mkdirSync(data, { recursive: true });
    const database = path.join(data, 'vendure.sqlite');
    const fresh = !fs.existsSync(database);
    const app = await bootstrap({
        apiOptions: {
            hostname: '127.0.0.1', port, adminApiPath: 'admin-api', shopApiPath: 'shop-api',
            cors: { origin: ['http://127.0.0.1'] },
        },
        authOptions: {
            tokenMethod: 'bearer',
            superadminCredentials: { identifier: admin, password },
            requireVerification: false,
        },
        dbConnectionOptions: { type: 'sqljs', location: database, autoSave: true, synchronize: true, logging: false },
        paymentOptions: { paymentMethodHandlers: [sandboxPayment] },
        logger: new DefaultLogger({ level: LogLevel.Warn }),
        plugins: [AssetServerPlugin.init({ route: 'assets', assetUploadDir: path.join(data, 'assets') })],
    });
    if (fresh) {
        await app.get(Populator).populateInitialData(initialData);
    }
    const address = app.getHttpServer().address();
    console.log(`Vendure shop running at http://127.0.0.1:${address.port}`);
    const stop = async () => {
        await app.close();
        process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

main().catch(error => {
    console.error(`Error: the Vendure shop did not start: ${error.stack || error}`);
    process.exit(1);
});
