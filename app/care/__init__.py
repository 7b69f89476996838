"""Care plans (周期服务, DESIGN §8): a recurring visit for a resident, each visit filed as an order the day before."""
