"""Staff pages of grid workers' visits, at /staff/grid-visits/."""
