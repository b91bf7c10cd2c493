"""The shared page's adapter: aiohttp routes, cookies and forms around `handlers/`."""
