import { MemoryStorage } from "../../src/storage/index.js";
import { storageContract } from "./contract.js";

storageContract("memory", async () => new MemoryStorage());
