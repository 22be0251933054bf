"""SLA: policies per client, clocks per ticket and metric, warning and breach timers."""
