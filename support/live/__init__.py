"""Socket.IO namespace ``/live``: authentication on connect, rooms, snapshots."""
