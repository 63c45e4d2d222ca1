def main(): print("gipcheck")
