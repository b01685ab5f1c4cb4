return Bpm.Waiter.WaiterProcess.Main();
