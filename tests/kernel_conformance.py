"""The official Jupyter kernel conformance suite (jupyter_kernel_test) for the "tessera"
kernelspec, with every sample it offers set, plus Tessera's own protocol checks in the
same harness: interrupts, comms, display updates and message signing.

Run by tests/conformance.test.ts with Debian's python3 (the package is not on PyPI's
mirror), JUPYTER_PATH pointing at .venv/share/jupyter, and the working directory (which
the kernel inherits) a folder outside the repository, as a notebook anywhere has:

    cd "$(mktemp -d)" && JUPYTER_PATH=$REPO/.venv/share/jupyter PYTHONPATH=$REPO/tests \
        /usr/bin/python3 -m unittest -v kernel_conformance.TesseraKernelTests

NotebookFolderTests expects a working directory with its own package.json and
node_modules, which conformance.test.ts makes.
"""

import queue
import time
import unittest
import uuid

import zmq
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

# The module, not the class: a KernelTests in this namespace would run as a test case too.
import jupyter_kernel_test as jkt
from jupyter_kernel_test.msgspec_v5 import validate_message

FIRST_CELL_TIMEOUT = 120

# msgspec_v5 has no schema for comm messages, so they are checked here by hand.
COMM_TYPES = {"comm_open", "comm_msg", "comm_close"}


class TesseraKernelTests(jkt.KernelTests):
    kernel_name = "tessera"
    language_name = "typescript"
    file_extension = ".ts"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first cell waits for the compiler thread's first program (seconds on a loaded
        # machine); the tests below time the replies of a ready kernel, within jkt.TIMEOUT.
        reply = cls.kc.execute_interactive(
            "0", timeout=FIRST_CELL_TIMEOUT, output_hook=lambda m: None
        )
        assert reply["content"]["status"] == "ok", reply["content"]

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    # The identifiers that complete the word before the cursor, from TypeScript's types.
    completion_samples = [
        {"text": "Math.ab", "matches": {"abs"}},
        {"text": "JSON.str", "matches": {"stringify"}},
        {"text": "[1, 2].flatM", "matches": {"flatMap"}},
        {"text": "clearOut", "matches": {"clearOutput"}},
    ]

    # is_complete parses with TypeScript: an error at the very end means more is to come.
    complete_code_samples = ["1", "const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const x = [1,", "const s = `multi"]
    invalid_code_samples = ["const = 1;", "}"]

    code_page_something = "?Math.max"
    code_generate_error = 'throw new Error("boom")'

    # text/plain of a value is Node's util.inspect of it.
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "'ab'"},
        {"code": "[1, 2, 3].map(x => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]

    code_display_data = [
        {
            "code": 'display({"text/html": "<b>hi</b>", "text/plain": "hi"}, {raw: true})',
            "mime": "text/html",
        },
        {"code": 'display("plain")', "mime": "text/plain"},
        {
            # The rich-display convention (Deno's): the object gives its own bundle.
            "code": 'display({ [Symbol.for("Jupyter.display")]: '
            '() => ({ "image/svg+xml": "<svg/>" }) })',
            "mime": "image/svg+xml",
        },
    ]

    # A glob, as history_request's "search" takes it; it matches the first sample above.
    code_history_pattern = "6 * 7*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"
    code_clear_output = "clearOutput()"

    # --- Tessera's own checks ---------------------------------------------------------

    def execute_collect(self, code):
        """Like execute_helper, but keeps comm messages (which msgspec_v5 cannot check)."""
        self.flush_channels()
        msg_id = self.kc.execute(code)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        return reply, self.iopub_until_idle(msg_id)

    def iopub_until_idle(self, parent_id):
        outputs = []
        deadline = time.monotonic() + jkt.TIMEOUT
        while time.monotonic() < deadline:
            msg = self.kc.get_iopub_msg(timeout=jkt.TIMEOUT)
            if msg["parent_header"].get("msg_id") != parent_id:
                continue
            if msg["msg_type"] in COMM_TYPES:
                self.assertIn("comm_id", msg["content"])
            else:
                validate_message(msg, msg["msg_type"], parent_id)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return outputs
            if msg["msg_type"] not in ("status", "execute_input"):
                outputs.append(msg)
        self.fail(f"no idle status for {parent_id} within {jkt.TIMEOUT} s")

    def send_shell(self, msg_type, content):
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        return self.iopub_until_idle(msg["header"]["msg_id"])

    def comm_info(self, target_name):
        msg_id = self.kc.comm_info(target_name)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        validate_message(reply, "comm_info_reply", msg_id)
        return reply["content"]["comms"]

    def wait_for_execute_input(self, msg_id):
        while True:
            msg = self.kc.get_iopub_msg(timeout=jkt.TIMEOUT)
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
                return

    def interrupt(self):
        """interrupt_request on the control channel (the kernelspec's interrupt_mode)."""
        msg = self.kc.session.msg("interrupt_request", {})
        self.kc.control_channel.send(msg)
        reply = self.kc.get_control_msg(timeout=jkt.TIMEOUT)
        validate_message(reply, "interrupt_reply", msg["header"]["msg_id"])

    def test_interrupt_stops_a_busy_loop_and_keeps_variables(self):
        reply, _ = self.execute_helper("let survivor = 41;")
        self.assertEqual(reply["content"]["status"], "ok")

        self.flush_channels()
        msg_id = self.kc.execute("while (true) {}")
        self.wait_for_execute_input(msg_id)
        # The loop runs once the cell is compiled, well within a second of execute_input.
        time.sleep(1)

        sent = time.monotonic()
        self.interrupt()
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        elapsed = time.monotonic() - sent
        validate_message(reply, "execute_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        self.assertLess(elapsed, 1.0, "the busy loop took over a second to stop")

        self.flush_channels()
        reply, outputs = self.execute_helper("survivor + 1")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [
            m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"
        ]
        self.assertEqual(results, ["42"])

    def test_interrupt_stops_a_busy_loop_after_an_await(self):
        reply, _ = self.execute_helper("let beforeLoop = 10;\nlet ticks = 0;")
        self.assertEqual(reply["content"]["status"], "ok")
        loops = {
            "in the cell": "await new Promise((r) => setTimeout(r, 10));\nwhile (true) ticks++;",
            "in an async function": (
                "async function spin() { await null; for (;;) ticks++; }\nawait spin();"
            ),
            "in a timer the cell waits for": (
                "await new Promise(() => setTimeout(() => { for (;;) ticks++; }, 10));"
            ),
        }
        for what, code in loops.items():
            with self.subTest(what):
                self.flush_channels()
                msg_id = self.kc.execute('console.log("before");\n' + code)
                self.wait_for_execute_input(msg_id)
                time.sleep(1)
                sent = time.monotonic()
                self.interrupt()
                reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
                elapsed = time.monotonic() - sent
                validate_message(reply, "execute_reply", msg_id)
                self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
                self.assertLess(elapsed, 1.0, "the loop took over a second to stop")
                outputs = self.iopub_until_idle(msg_id)
                printed = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
                self.assertIn("before", printed)
        # The kernel works on, with its variables, outputs and displays.
        self.flush_channels()
        reply, outputs = self.execute_collect(
            'display("shown");\nawait new Promise((r) => setTimeout(r, 5));\n'
            "console.log(ticks > 0);\nbeforeLoop + 1"
        )
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(
            [m["msg_type"] for m in outputs], ["display_data", "stream", "execute_result"]
        )
        self.assertEqual(outputs[1]["content"]["text"], "true\n")
        self.assertEqual(outputs[2]["content"]["data"]["text/plain"], "11")

    def test_interrupt_while_the_cell_compiles(self):
        # Stop pressed before the cell's code starts (it is still compiling) stops it too.
        self.flush_channels()
        msg_id = self.kc.execute("while (true) {}")
        self.wait_for_execute_input(msg_id)
        self.interrupt()
        try:
            reply = self.get_non_kernel_info_reply(timeout=5)
        except queue.Empty:
            reply = None
        if reply is None:
            # Free the kernel for the tests after this one: the loop runs now.
            self.interrupt()
            self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
            self.flush_channels()
            self.fail("an interrupt sent while the cell compiled was lost: the cell ran on")
        validate_message(reply, "execute_reply", msg_id)
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        self.flush_channels()

    def test_interrupt_stops_an_awaited_promise(self):
        self.flush_channels()
        msg_id = self.kc.execute("await new Promise(() => {})")
        self.wait_for_execute_input(msg_id)
        time.sleep(0.5)
        sent = time.monotonic()
        self.interrupt()
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
        self.assertLess(time.monotonic() - sent, 1.0, "the awaited cell took over a second to stop")
        self.flush_channels()

    def ask(self, code, answer):
        """Runs `code`, checks that it asks on stdin, answers, and returns (request, reply, outputs)."""
        self.flush_channels()
        msg_id = self.kc.execute(code, allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=jkt.TIMEOUT)
        self.assertEqual(request["msg_type"], "input_request")
        self.assertEqual(request["parent_header"]["msg_id"], msg_id)
        self.kc.input(answer)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        return request["content"], reply["content"], self.iopub_until_idle(msg_id)

    def test_input_and_prompt_read_the_front_end_s_answer(self):
        results = lambda outputs: [
            m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"
        ]
        request, reply, outputs = self.ask(
            'const said = await input("Your name: ");\nsaid.toUpperCase()', "ada"
        )
        self.assertEqual(request, {"prompt": "Your name: ", "password": False})
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(results(outputs), ["'ADA'"])

        request, reply, outputs = self.ask('(await input("Token: ", { password: true })).length', "s3cret")
        self.assertEqual(request, {"prompt": "Token: ", "password": True})
        self.assertEqual(results(outputs), ["6"])

        # prompt() blocks, as in browsers and Deno; an empty answer takes the default.
        request, reply, outputs = self.ask('const n = prompt("How many?", "10");\nNumber(n) * 2', "")
        self.assertEqual(request, {"prompt": "How many? [10] ", "password": False})
        self.assertEqual(results(outputs), ["20"])

    def test_input_without_stdin_fails_clearly(self):
        self.flush_channels()
        msg_id = self.kc.execute('const never = await input("Name: ");', allow_stdin=False)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "StdinNotImplementedError")
        self.assertIn("allow_stdin: false", reply["content"]["evalue"])
        self.flush_channels()

    def test_interrupt_ends_a_wait_for_input(self):
        reply, _ = self.execute_helper("let beforeInput = 3;")
        self.assertEqual(reply["content"]["status"], "ok")
        for code in ('const a = await input("Waiting: ");', 'const b = prompt("Waiting: ");'):
            with self.subTest(code):
                self.flush_channels()
                msg_id = self.kc.execute(code, allow_stdin=True)
                request = self.kc.get_stdin_msg(timeout=jkt.TIMEOUT)
                self.assertEqual(request["msg_type"], "input_request")
                sent = time.monotonic()
                self.interrupt()
                reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
                validate_message(reply, "execute_reply", msg_id)
                self.assertEqual(reply["content"]["ename"], "KeyboardInterrupt")
                self.assertLess(time.monotonic() - sent, 1.0, "the wait took over a second to end")
        self.flush_channels()
        reply, outputs = self.execute_helper("beforeInput + 1")
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["4"])

    def test_failures_leave_the_kernel_alive_with_its_variables(self):
        reply, _ = self.execute_helper("const kept = 7;")
        self.assertEqual(reply["content"]["status"], "ok")
        failing = {
            "a throwing cell": ('throw new Error("x")', "Error"),
            "a syntax error": ("const = ;", "SyntaxError"),
            "a type error": ('const n: number = "text";', "TypeError"),
        }
        for what, (code, ename) in failing.items():
            with self.subTest(what):
                reply, outputs = self.execute_helper(code)
                self.assertEqual(reply["content"]["status"], "error")
                self.assertEqual([m["content"]["ename"] for m in outputs], [ename])
        # A rejection nobody awaits is reported on stderr; the cell itself succeeds.
        reply, rejected = self.execute_collect('Promise.reject(new Error("nobody waits")); 1')
        self.assertEqual(reply["content"]["status"], "ok")
        reply, outputs = self.execute_collect("kept")
        stderr = "".join(
            m["content"]["text"]
            for m in rejected + outputs
            if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"
        )
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertIn("nobody waits", stderr)
        self.assertEqual(results, ["7"])

    def test_a_50_mb_output_leaves_the_kernel_alive(self):
        reply, outputs = self.execute_collect('const big = "x".repeat(50_000_000);\nconsole.log(big);')
        self.assertEqual(reply["content"]["status"], "ok")
        printed = sum(len(m["content"]["text"]) for m in outputs if m["msg_type"] == "stream")
        self.assertEqual(printed, 50_000_001)
        reply, outputs = self.execute_collect("big.length")
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["50000000"])

    def test_error_names_the_exception(self):
        reply, outputs = self.execute_helper('throw new RangeError("out of range")')
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "RangeError")
        self.assertEqual(reply["content"]["evalue"], "out of range")
        self.assertEqual([m["content"]["ename"] for m in outputs], ["RangeError"])

    def test_completion_sees_earlier_cells(self):
        reply, _ = self.execute_helper("const tesseraAnswer = 42;")
        self.assertEqual(reply["content"]["status"], "ok")
        text = "tesseraAn"
        msg_id = self.kc.complete(text)
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        validate_message(reply, "complete_reply", msg_id)
        self.assertEqual(reply["content"]["matches"], ["tesseraAnswer"])
        self.assertEqual(reply["content"]["cursor_start"], 0)
        self.assertEqual(reply["content"]["cursor_end"], len(text))

    def test_display_handle_updates_in_place(self):
        reply, outputs = self.execute_collect('const h = display("first");\nh.update("second");')
        self.assertEqual(reply["content"]["status"], "ok")
        kinds = [m["msg_type"] for m in outputs]
        self.assertEqual(kinds, ["display_data", "update_display_data"])
        first, second = outputs
        self.assertEqual(first["content"]["data"]["text/plain"], "'first'")
        self.assertEqual(second["content"]["data"]["text/plain"], "'second'")
        self.assertEqual(
            first["content"]["transient"]["display_id"],
            second["content"]["transient"]["display_id"],
        )

    def test_comm_info_lists_comms_opened_by_the_kernel(self):
        reply, outputs = self.execute_collect(
            'const kernelComm = openComm("tessera.test", { hello: 1 });'
        )
        self.assertEqual(reply["content"]["status"], "ok")
        opens = [m["content"] for m in outputs if m["msg_type"] == "comm_open"]
        self.assertEqual(len(opens), 1)
        self.assertEqual(opens[0]["target_name"], "tessera.test")
        self.assertEqual(opens[0]["data"], {"hello": 1})
        comm_id = opens[0]["comm_id"]
        self.assertEqual(self.comm_info("tessera.test"), {comm_id: {"target_name": "tessera.test"}})

        reply, outputs = self.execute_collect("kernelComm.close();")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual([m["msg_type"] for m in outputs], ["comm_close"])
        self.assertEqual(self.comm_info("tessera.test"), {})

    def test_comms_opened_by_the_front_end(self):
        reply, _ = self.execute_helper(
            'registerCommTarget("tessera.echo", '
            "(comm) => comm.onMessage(({ data }) => comm.send(data)));"
        )
        self.assertEqual(reply["content"]["status"], "ok")
        comm_id = uuid.uuid4().hex
        self.flush_channels()
        self.send_shell(
            "comm_open", {"comm_id": comm_id, "target_name": "tessera.echo", "data": {}}
        )
        self.assertEqual(self.comm_info("tessera.echo"), {comm_id: {"target_name": "tessera.echo"}})

        echoed = self.send_shell("comm_msg", {"comm_id": comm_id, "data": {"ping": [1, 2]}})
        self.assertEqual(
            [(m["msg_type"], m["content"]) for m in echoed],
            [("comm_msg", {"comm_id": comm_id, "data": {"ping": [1, 2]}})],
        )

        self.send_shell("comm_close", {"comm_id": comm_id, "data": {}})
        self.assertEqual(self.comm_info("tessera.echo"), {})

        # A target nobody registered: the kernel closes the comm at once.
        closed = self.send_shell(
            "comm_open", {"comm_id": "nobody", "target_name": "no.such.target", "data": {}}
        )
        self.assertEqual([m["msg_type"] for m in closed], ["comm_close"])
        self.assertEqual(closed[0]["content"]["comm_id"], "nobody")

    def results_of(self, code):
        """The reply's status and the text/plain results of a cell that must not fail."""
        reply, outputs = self.execute_collect(code)
        errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(reply["content"]["status"], "ok", errors)
        return [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]

    def test_node_apis_and_tessera_packages_have_types_in_any_folder(self):
        # The kernel runs in a folder with no node_modules: Node's types and Tessera's
        # packages still come from Tessera's own installation.
        self.assertEqual(
            self.results_of('import { existsSync } from "node:fs";\nexistsSync(process.cwd())'),
            ["true"],
        )
        self.assertEqual(self.results_of("Buffer.from([1, 2]).length"), ["2"])
        self.assertEqual(
            self.results_of(
                'import { MemoryTracker } from "@tessera/gpu";\n'
                "const tracker: MemoryTracker = new MemoryTracker();\n"
                'tracker.alloc(64, "a");\ntracker.peakBytes'
            ),
            ["64"],
        )
        reply, outputs = self.execute_collect('const wrong: string = tracker.peakBytes;')
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn("'number' is not assignable to type 'string'", reply["content"]["evalue"])

    def test_user_expressions_are_returned_as_mime_bundles(self):
        self.flush_channels()
        msg_id = self.kc.execute(
            "const sixes = 6;", user_expressions={"seven": "sixes + 1", "bad": "noSuchName"}
        )
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        expressions = reply["content"]["user_expressions"]
        self.assertEqual(
            expressions["seven"], {"status": "ok", "data": {"text/plain": "7"}, "metadata": {}}
        )
        self.assertEqual(expressions["bad"]["status"], "error")
        self.assertEqual(expressions["bad"]["ename"], "TypeError")
        self.flush_channels()

    def test_messages_with_a_wrong_signature_are_ignored(self):
        info = self.km.get_connection_info()
        url = f"{info['transport']}://{info['ip']}:{info['shell_port']}"
        context = zmq.Context.instance()
        socket = context.socket(zmq.DEALER)
        socket.linger = 0
        socket.connect(url)
        try:
            forged = Session(key=b"not-the-key", session=self.kc.session.session)
            unsigned = Session(key=b"", session=self.kc.session.session)
            for session in (forged, unsigned):
                session.send(socket, "kernel_info_request", {})
            self.assertEqual(socket.poll(1000), 0, "the kernel answered a badly signed message")

            # The same socket with the right key is answered, so the silence above meant something.
            right = Session(key=info["key"], session=self.kc.session.session)
            sent = right.send(socket, "kernel_info_request", {})
            self.assertNotEqual(
                socket.poll(jkt.TIMEOUT * 1000), 0, "no reply to a well signed message"
            )
            _, frames = right.feed_identities(socket.recv_multipart())
            reply = right.deserialize(frames)
            validate_message(reply, "kernel_info_reply", sent["header"]["msg_id"])
        finally:
            socket.close()
        self.flush_channels()


class NotebookFolderTests(unittest.TestCase):
    """A notebook folder with its own package.json and node_modules: its packages import
    with their types, and win over packages of the same name that Tessera has."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=TesseraKernelTests.kernel_name)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def run_cell(self, code):
        """(reply content, text/plain results, error contents) of one cell."""
        outputs = []
        reply = self.kc.execute_interactive(
            code, timeout=jkt.TIMEOUT, output_hook=outputs.append
        )
        results = [
            m["content"]["data"]["text/plain"]
            for m in outputs
            if m["msg_type"] == "execute_result"
        ]
        return reply["content"], results

    def test_a_package_of_the_folder_imports_with_its_types(self):
        reply, results = self.run_cell('import { greet } from "own-greeting";\ngreet("notebook")')
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(results, ["'hello, notebook'"])
        reply, _ = self.run_cell('const n: number = greet("types");')
        self.assertEqual(reply["status"], "error")
        self.assertIn("'string' is not assignable to type 'number'", reply["evalue"])

    def test_the_folder_s_package_wins_over_tessera_s(self):
        # Tessera has d3-array too; the folder's own one (a stand-in) is the one imported.
        reply, results = self.run_cell('import { bisect } from "d3-array";\nbisect()')
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(results, ["'d3-array of the notebook folder'"])

    def test_tessera_s_packages_still_import(self):
        reply, results = self.run_cell(
            'import { MemoryTracker } from "@tessera/gpu";\nnew MemoryTracker().liveBytes'
        )
        self.assertEqual(reply["status"], "ok", reply)
        self.assertEqual(results, ["0"])


class ShutdownTests(unittest.TestCase):
    """A kernel of its own, for what ends it."""

    def test_shutdown_while_prompt_waits_ends_the_kernel(self):
        km, kc = start_new_kernel(kernel_name=TesseraKernelTests.kernel_name)
        try:
            kc.execute('const answer = prompt("Never answered: ");', allow_stdin=True)
            request = kc.get_stdin_msg(timeout=jkt.TIMEOUT)
            self.assertEqual(request["msg_type"], "input_request")
            # prompt() blocks the main thread; the shutdown must still get through to it.
            msg = kc.session.msg("shutdown_request", {"restart": False})
            kc.control_channel.send(msg)
            reply = kc.get_control_msg(timeout=jkt.TIMEOUT)
            self.assertEqual(reply["msg_type"], "shutdown_reply")
            deadline = time.monotonic() + 3
            while km.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(km.is_alive(), "the kernel still runs 3 s after its shutdown_reply")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
