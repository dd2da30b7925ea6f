// Imported first by every test that runs Cairn's CoMapeo side in this process: its mDNS then
// announces and asks on loopback only, so no test sends a packet to the machine's network.
process.env.CAIRN_COMAPEO_HOST ??= '127.0.0.1';
