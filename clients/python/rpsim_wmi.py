"""WMI-shaped client for `rpsim serve` (standard library only).

Owns speaking the JSON-lines protocol of PROTOCOL.md to an `rpsim serve` child process and
presenting its answers as objects shaped like Python's `wmi` module: code written against
`wmi.WMI(namespace=r"root\\virtualization\\v2")` runs with only its connection line changed.
It must never decide anything the simulator decides (it only forwards calls and reads answers).

    conn = rpsim_wmi.connect("examples/worlds/two-groups.yaml", seed=1)
    svc = conn.Msvm_CollectionReferencePointService()[0]
    group = conn.Msvm_VirtualSystemCollection(ElementName="web")[0]
    _, rp, ret = svc.CreateReferencePoint(Collection=group.path_(), ReferencePointType=2)
    job, ret = svc.ExportReferencePoint(ReferencePointCollection=rp, ExportDirectory="/exports/full")
    job = conn.get(job)
    while job.JobState in (2, 3, 4):
        conn.sleep(1.0)          # time.sleep, in sim time
        job = conn.get(job.path_())
    report = conn.end()
"""

import json
import subprocess

PROTOCOL_VERSION = 1
WBEM_E_NOT_FOUND = 2147749890


class WmiError(Exception):
    """An error answer (its WBEM code, name and message), like wmi's x_wmi."""

    def __init__(self, code, name, message):
        super().__init__("%s (%d): %s" % (name, code, message))
        self.code = code
        self.name = name
        self.message = message


class Connection:
    """One client session with an `rpsim serve` process."""

    def __init__(self, scenario, seed=None, transcript=None, rpsim="rpsim", extra_args=()):
        args = [rpsim, "serve", scenario]
        if seed is not None:
            args += ["--seed", str(seed)]
        if transcript is not None:
            args += ["--transcript", transcript]
        args += list(extra_args)
        self._process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )
        self._next_id = 0
        self.report = None
        self.hello = self.call("Hello", ProtocolVersion=PROTOCOL_VERSION, Client="rpsim_wmi.py")

    def call(self, method, **params):
        """Sends one request; returns its result or raises WmiError."""
        self._next_id += 1
        line = json.dumps({"id": self._next_id, "method": method, "params": params})
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise WmiError(0, "RPSIM_CLOSED", "rpsim serve closed the session")
        answer = json.loads(answer)
        if "error" in answer:
            e = answer["error"]
            raise WmiError(e["code"], e["name"], e["message"])
        return answer["result"]

    # --- reads -------------------------------------------------------------------------------
    def get(self, path):
        """The object at a WMI path (or an instance's path_()); WmiError WBEM_E_NOT_FOUND when gone."""
        if isinstance(path, WmiObject):
            path = path.path_()
        return WmiObject(self, self.call("Get", Path=path)["Instance"])

    def query(self, class_name, **where):
        """Every instance of a class whose properties equal `where`."""
        found = self.call("Enumerate", Class=class_name)["Instances"]
        return [WmiObject(self, i) for i in found if all(i.get(k) == v for k, v in where.items())]

    def __getattr__(self, class_name):
        if class_name.startswith(("Msvm_", "CIM_")):
            return lambda **where: self.query(class_name, **where)
        raise AttributeError(class_name)

    # --- time and the end --------------------------------------------------------------------
    def sleep(self, seconds):
        """time.sleep in sim time: the only way sim time moves."""
        self.call("Wait", DurationNs=int(round(seconds * 1e9)))

    def inject_fault(self, **fault):
        """Test only: a fault now, in the scenario format (sim/scenario/FORMAT.md)."""
        return self.call("InjectFault", Fault=fault)

    def end(self):
        """Ends the session: the rest of the run, the end-of-run checks; returns the report."""
        self.report = self.call("EndSession")
        self._process.stdin.close()
        self._process.stdout.read()
        self._process.wait()
        return self.report


class WmiObject:
    """A WMI instance: properties as attributes, methods as calls with out-parameters."""

    # Out-parameters in the order Python's wmi returns them (sorted by name, as in os-win's
    # `(job_path, ret_val) = svc.ExportSystemDefinition(...)`).
    _OUT = {
        "CreateReferencePoint": ("Job", "ResultingReferencePointCollection", "ReturnValue"),
        "DestroyReferencePoint": ("Job", "ReturnValue"),
        "RemoveAssociatedData": ("Job", "ReturnValue"),
        "ExportReferencePoint": ("Job", "ReturnValue"),
        "RequestStateChange": ("ReturnValue",),
        "GetError": ("Error", "ReturnValue"),
        "GetErrorEx": ("Errors", "ReturnValue"),
    }
    _ON_JOB = ("RequestStateChange", "GetError", "GetErrorEx")

    def __init__(self, connection, instance):
        self._connection = connection
        self._instance = instance

    def path_(self):
        return self._instance["__PATH"]

    def __getattr__(self, name):
        if name in self._instance:
            return self._instance[name]
        if name in self._OUT:
            return lambda *args, **kwargs: self._method(name, *args, **kwargs)
        raise AttributeError(name)

    def _method(self, name, *args, **kwargs):
        if name == "RequestStateChange":
            keys = ("RequestedState", "TimeoutPeriod")
            kwargs.update(zip(keys, args))
        if name in self._ON_JOB:
            kwargs["Path"] = self.path_()
        out = self._connection.call(name, **kwargs)
        return tuple(out.get(k) for k in self._OUT[name])

    def associators(self, wmi_association_class, wmi_result_class=None):
        params = {"Path": self.path_(), "AssocClass": wmi_association_class}
        if wmi_result_class:
            params["ResultClass"] = wmi_result_class
        found = self._connection.call("Associators", **params)["Instances"]
        return [WmiObject(self._connection, i) for i in found]

    def __repr__(self):
        return "<%s %s>" % (self._instance.get("__CLASS"), self.path_())


def connect(scenario, seed=None, transcript=None, rpsim="rpsim", extra_args=()):
    """The connection line: where code for `wmi` has `wmi.WMI(namespace=...)`."""
    return Connection(scenario, seed=seed, transcript=transcript, rpsim=rpsim, extra_args=extra_args)
