"""The site: what puts the apps together — the URL map's pages, the API's routers, the home page, the menu."""
